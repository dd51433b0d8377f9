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


def _maps():
    """Every map the dashboard draws: the city's kecamatan, each kecamatan's kelurahan."""
    from dashboards import geo

    kecamatan = list(geo.shapes("kecamatan"))
    yield "kecamatan", kecamatan
    kelurahan = list(geo.shapes("kelurahan"))
    for code in kecamatan:
        yield "kelurahan", [c for c in kelurahan if c.startswith(code + ".")]


def test_no_two_map_labels_overlap(reference_data):
    import itertools

    from dashboards import geo
    from households.models import Region

    names = dict(Region.objects.values_list("code", "name"))
    for level, codes in _maps():
        shapes = geo.shapes(level)
        _box, size = geo.view_box(codes, level)
        labels = geo.place_labels(
            [(c, max(names[c], "99.999", key=len), shapes[c][2], shapes[c][1]) for c in codes],
            size,
        )
        overlapping = [
            (a.code, b.code)
            for a, b in itertools.combinations(labels.values(), 2)
            if geo.overlap(a, b) > 0
        ]
        assert not overlapping, level


def test_pondokmelati_and_jatiasih_labels_no_longer_overlap(reference_data):
    from dashboards import geo

    shapes = geo.shapes("kecamatan")
    before = [
        geo.Label(c, name, *shapes[c][2], 60.0)
        for c, name in (("32.75.12", "Pondokmelati"), ("32.75.09", "Jatiasih"))
    ]
    assert geo.overlap(*before) > 0  # the centroids of the data, at the one font size
    after = geo.place_labels(
        [
            (label.code, label.text, shapes[label.code][2], shapes[label.code][1])
            for label in before
        ],
        60.0,
    )
    assert geo.overlap(after["32.75.12"], after["32.75.09"]) == 0
    assert after["32.75.12"].size < 60.0  # the narrow kecamatan gets a smaller label


def test_rate_legend_classes_never_share_a_bound(verifikator):
    """Issue 18, point 12: a rate's legend read "50,0% – 100,0%" then "100,0%+", so a
    kecamatan at 100 % seemed to be in both. Each class shows the rates drawn in it."""
    from dashboards.panels import build_panel
    from dashboards.presenters import dashboard_for
    from dashboards.services import refresh_kelurahan_counts
    from tests.dashboards.registry import crafted_registry

    crafted_registry()  # poor households: Bekasi Timur 2 of 4 (50 %), Bekasi Barat 1 of 1
    refresh_kelurahan_counts()
    dashboard = dashboard_for(verifikator)
    panel = build_panel(dashboard, dashboard.city, "poor_households")
    assert [text for _css, text in panel.legend] == ["50,0%", "100,0%+"]


def test_the_trend_plots_what_the_map_colours(verifikator):
    """Issue 18: the map coloured "% of households poor" while the trend beside it drew counts."""
    import datetime

    from dashboards.panels import build_panel, month_label
    from dashboards.presenters import dashboard_for
    from dashboards.services import refresh_kelurahan_counts, snapshot_indicators
    from tests.dashboards.registry import crafted_registry

    crafted_registry()
    refresh_kelurahan_counts()
    snapshot_indicators(month=datetime.date(2026, 11, 1))
    dashboard = dashboard_for(verifikator, today=datetime.date(2026, 12, 6))
    panel = build_panel(dashboard, dashboard.city, "poor_households")
    assert [shown for _x, _y, _month, shown in panel.chart.dots] == ["60,0%"]  # 3 of 5
    assert month_label(datetime.date(2026, 12, 1)) == "Des"
    assert panel.trend_period == "Nov 2026 – Nov 2026"
