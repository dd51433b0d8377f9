"""Small-cell suppression: pure, no database."""

import pytest

from dashboards.suppression import State, pinned, suppress, suppress_group

SHOWN, SMALL, HIDDEN = State.SHOWN, State.SMALL, State.HIDDEN


def test_cells_at_or_above_the_threshold_are_shown():
    assert suppress_group({"a": 5, "b": 17}, 5) == ({"a": SHOWN, "b": SHOWN}, False)


def test_one_small_cell_beside_a_total_takes_the_smallest_other_cell_with_it():
    # 3 alone would be total (26) - 9 - 14; hiding the 9 as well leaves 12 = small + ≥5.
    states, total_hidden = suppress_group({"a": 3, "b": 14, "c": 9}, 5)
    assert states == {"a": SMALL, "b": SHOWN, "c": HIDDEN}
    assert not total_hidden


def test_the_subtraction_case_cannot_recover_the_small_cell():
    cells = {"a": 3, "b": 14, "c": 9}
    states, _ = suppress_group(cells, 5)
    total = sum(cells.values())
    known = sum(v for code, v in cells.items() if states[code] == SHOWN)
    # What an attacker knows: a in 0..4, c >= 5, a + c = total - known = 12.
    candidates = [a for a in range(5) if total - known - a >= 5]
    assert candidates == [0, 1, 2, 3, 4]


def test_two_small_cells_that_pin_each_other_get_a_third():
    # 4 + 4 = 8 with both below 5: each must be 4. A third, visible cell is hidden too.
    states, _ = suppress_group({"a": 4, "b": 4, "c": 30, "d": 6}, 5)
    assert states == {"a": SMALL, "b": SMALL, "c": SHOWN, "d": HIDDEN}


def test_two_small_cells_that_do_not_pin_each_other_are_enough():
    # 1 + 2 = 3: a could be 0..3, b likewise.
    assert suppress_group({"a": 1, "b": 2, "c": 30}, 5)[0] == {"a": SMALL, "b": SMALL, "c": SHOWN}


def test_true_zeros_are_shown_as_zero():
    # A kelurahan without a case: 0, not "<5" (issue 18, point 12).
    assert suppress_group({"a": 0, "b": 0}, 5)[0] == {"a": SHOWN, "b": SHOWN}
    assert suppress_group({"a": 0, "b": 12, "c": 3, "d": 1}, 5)[0] == {
        "a": SHOWN, "b": SHOWN, "c": SMALL, "d": SMALL,
    }  # fmt: skip


def test_a_zero_is_hidden_only_to_protect_a_small_neighbour():
    # 3 beside 0, 0 and 12: the total would give the 3 back; one 0 joins it as "<5".
    states, total_hidden = suppress_group({"a": 3, "b": 0, "c": 0, "d": 12}, 5)
    assert states == {"a": SMALL, "b": SMALL, "c": SHOWN, "d": SHOWN}
    assert not total_hidden


def test_a_small_secondary_sum_is_widened_until_the_small_cell_is_free():
    # 2 + 5 = 7 would tell a is 0..2; a is only free (0..4) with at least 2 + 4 beside a 5.
    assert not pinned({"a": 2, "b": 5}, {"a": SMALL, "b": HIDDEN}, 5)
    assert pinned({"a": 2}, {"a": SMALL}, 5)


def test_a_kecamatan_of_one_small_kelurahan_hides_its_total_and_the_citys():
    result = suppress({"k1": {"a": 3}, "k2": {"b": 40, "c": 12}}, 5)
    assert result.kelurahan == {"a": SMALL, "b": SHOWN, "c": SHOWN}
    assert result.kecamatan == {"k1": HIDDEN, "k2": SHOWN}
    assert result.city == HIDDEN


def test_nothing_hidden_keeps_every_total():
    result = suppress({"k1": {"a": 30}, "k2": {"b": 40}}, 5)
    assert result.city == SHOWN
    assert set(result.kecamatan.values()) == {SHOWN}


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_no_small_cell_is_ever_recoverable_exactly(threshold):
    """Brute force over small kecamatan: for every hidden small cell, the values consistent
    with everything shown are more than one (or only 0)."""
    import itertools

    for cells in itertools.product([0, 1, 3, 4, 6, 9, 12], repeat=4):
        group = dict(zip("abcd", cells, strict=True))
        states, total_hidden = suppress_group(group, threshold)
        if total_hidden:
            continue
        hidden = [c for c in group if states[c] != SHOWN]
        rest = sum(group.values()) - sum(group[c] for c in group if states[c] == SHOWN)
        for code in hidden:
            if states[code] != SMALL:
                continue
            others = [c for c in hidden if c != code]
            # brute force the other hidden cells within their bounds
            ranges = [
                range(threshold) if states[c] == SMALL else range(threshold, 60) for c in others
            ]
            possible = {
                rest - sum(combo)
                for combo in itertools.product(*ranges)
                if 0 <= rest - sum(combo) < threshold
            }
            assert len(possible) > 1 or possible == {0}, (group, states)
