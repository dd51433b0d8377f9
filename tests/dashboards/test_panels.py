"""Map colour classes: pure functions of the shown values."""

from dashboards.panels import _breaks, _klass


def test_few_distinct_values_still_run_from_light_to_dark():
    values = [0] * 10 + [1, 2]
    breaks = _breaks(values)
    assert [_klass(v, breaks) for v in (0, 1, 2)] == ["c0", "c2", "c4"]


def test_one_value_everywhere_is_the_lightest_class():
    assert {_klass(7, _breaks([7, 7, 7]))} == {"c0"}


def test_quintiles_of_spread_values_use_every_class():
    values = [5, 9, 12, 40, 41, 60, 70, 80, 100, 120, 130, 300]
    breaks = _breaks(values)
    assert {_klass(v, breaks) for v in values} == {"c0", "c1", "c2", "c3", "c4"}
    assert _klass(None, breaks) == "c-hidden"
