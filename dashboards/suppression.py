"""Small-cell suppression for aggregate-only roles (issue 6, item 8). Pure: no database.

The rule, for one indicator over the tree city → kecamatan → kelurahan, with threshold k:

1. Primary: a kelurahan count from 1 to k-1 is hidden and shown as "<k" (SMALL). A true 0
   is shown as 0 (issue 18, point 12): "<5" for a kelurahan with no case misleads, and a 0
   identifies nobody. Zeros are only hidden as secondary cells (step 2).
2. Secondary, against subtraction: the kecamatan total is shown, so the hidden cells of one
   kecamatan add up to a known sum S (total minus the visible cells). Someone who knows this
   rule also knows each SMALL cell lies in 0..k-1 and each HIDDEN (secondary) cell is ≥ k.
   From S and those bounds every hidden small cell gets an interval [lo, hi]; the cells are
   safe when no small cell is pinned to one value above zero (lo == hi > 0). A count pinned to
   0 identifies nobody, and a total of 0 already says every cell is 0.
   While some small cell is pinned, a shown 0 of the kecamatan is hidden as "<k" too (a
   reader cannot tell it from a small cell, so "<k" means 0..k-1), else the smallest visible
   cell (HIDDEN, shown as "×", not "<k": it is not small). Smallest first, so the least is
   lost.
   One hidden cell beside a total is always pinned (lo == hi == S), which is the classic
   subtraction case; adding a secondary cell frees it: lo becomes 0.
3. If hiding every kelurahan of a kecamatan still leaves a small cell pinned (a kecamatan of
   one kelurahan, or of two cells of 4 each), the kecamatan total is hidden as well, and so is
   the city total: otherwise the city total minus the other kecamatan would give it back.

Kecamatan and city totals are otherwise shown: the issue protects kelurahan-level cells.
Callers must sort hidden cells without their values (a sorted column would leak the order).
Relations between different indicators (e.g. aid recipients and inclusion errors) are not
used by the rule: no shown figure is the difference of two others.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # below the threshold: "<k"
    HIDDEN = "hidden"  # hidden so that a small cell cannot be recovered


@dataclass(frozen=True)
class Suppressed:
    kelurahan: dict[str, State]
    kecamatan: dict[str, State]
    city: State


def pinned(hidden: Mapping[str, int], states: Mapping[str, State], k: int) -> bool:
    """Whether some SMALL cell among `hidden` is determined exactly (and is not 0) by their
    known sum and the bounds the rule implies (SMALL in 0..k-1, HIDDEN at least k)."""
    small = sum(1 for code in hidden if states[code] == State.SMALL)
    if not small:
        return False
    secondary = len(hidden) - small
    total = sum(hidden.values())
    # The interval of any one small cell (they are interchangeable): the others are at least
    # 0 (small) or k (secondary) and at most k-1 (small) or unbounded (secondary).
    hi = min(k - 1, total - k * secondary)
    lo = 0 if secondary else max(0, total - (k - 1) * (small - 1))
    return lo == hi > 0


def suppress_group(cells: Mapping[str, int], k: int) -> tuple[dict[str, State], bool]:
    """The states of one kecamatan's kelurahan cells, and whether its total must be hidden."""
    states = {code: State.SMALL if 0 < value < k else State.SHOWN for code, value in cells.items()}
    if not any(state == State.SMALL for state in states.values()):
        return states, False
    while True:
        hidden = {code: cells[code] for code, state in states.items() if state != State.SHOWN}
        if not pinned(hidden, states, k):
            return states, False
        visible = [code for code, state in states.items() if state == State.SHOWN]
        if not visible:
            return states, True
        smallest = min(visible, key=lambda code: (cells[code], code))
        states[smallest] = State.SMALL if cells[smallest] == 0 else State.HIDDEN


def suppress(tree: Mapping[str, Mapping[str, int]], k: int) -> Suppressed:
    """States for every cell of one indicator. `tree`: kecamatan code → {kelurahan code: count}."""
    kelurahan: dict[str, State] = {}
    kecamatan: dict[str, State] = {}
    for kecamatan_code, cells in tree.items():
        states, total_hidden = suppress_group(cells, k)
        kelurahan.update(states)
        kecamatan[kecamatan_code] = State.HIDDEN if total_hidden else State.SHOWN
    city = State.HIDDEN if State.HIDDEN in kecamatan.values() else State.SHOWN
    return Suppressed(kelurahan=kelurahan, kecamatan=kecamatan, city=city)
