"""The trend chart's geometry: pure."""

from dashboards.charts import _nice_max, line_chart


def test_axis_top_is_a_round_number_above_the_highest_value():
    assert [_nice_max(v) for v in (0, 9, 85, 101, 1048)] == [4, 10, 100, 120, 1200]


def test_a_hidden_month_breaks_the_line_instead_of_dropping_to_zero():
    chart = line_chart([("Sep", 10, "10"), ("Okt", None, "<5"), ("Nov", 12, "12")])
    assert len(chart.lines) == 2
    assert [label for _, _, label, _ in chart.dots] == ["Sep", "Nov"]


def test_no_points_no_chart():
    assert line_chart([]) is None
