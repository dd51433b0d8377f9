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


def test_twelve_months_label_every_other_month_ending_on_the_latest():
    """Issue 18: twelve "Jan 2026"-wide labels ran into each other under the trend."""
    points = [(f"m{i}", i * 10, str(i * 10)) for i in range(12)]
    chart = line_chart(points, unit="%")
    assert [label for _, label in chart.x_labels] == ["m1", "m3", "m5", "m7", "m9", "m11"]
    assert len(chart.dots) == 12  # every month keeps its dot and its value
    assert chart.y_ticks[-1][1] == "120%"


def test_a_rate_axis_takes_fractions():
    chart = line_chart([("Sep", 52.4, "52,4%"), ("Okt", 51.9, "51,9%")], unit="%")
    assert [label for _, label in chart.y_ticks] == ["0%", "15%", "30%", "45%", "60%"]
