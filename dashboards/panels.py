"""The map and trend panel of a page: which shapes, which colour class, which series.

Colour classes are quintile breaks of the *shown* values of the areas on the map; a hidden
cell gets the neutral class and no value, so the colour cannot reveal it.
"""

from dataclasses import dataclass, replace

from django.urls import reverse
from django.utils.formats import date_format

from dashboards import geo
from dashboards.charts import Chart, line_chart
from dashboards.indicators import (
    BY_CODE,
    DEFAULT_MAP_INDICATOR,
    RATES,
    Indicator,
    format_rate,
    rate_of,
)
from dashboards.presenters import Dashboard, trend_cells
from dashboards.tree import Area

CLASSES = 5


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    path: str
    display: str
    css_class: str
    url: str
    current: bool
    label_x: int
    label_y: int
    label_size: float = 0


@dataclass(frozen=True)
class Panel:
    area: Area
    indicator: Indicator
    indicators: list[Indicator]
    shapes: list[Shape]
    view_box: str
    label_size: float
    legend: list[tuple[str, str]]  # css class, range as text
    chart: Chart | None
    rate_label: str = ""  # what the map colours when it colours a rate ("% of households")
    trend_period: str = ""  # "Jan 2026 – Des 2026": the axis names months only

    @property
    def has_hidden(self) -> bool:
        return any(shape.css_class == "c-hidden" for shape in self.shapes)


def pick_indicator(dashboard: Dashboard, code: str | None) -> Indicator:
    codes = [i.code for i in dashboard.indicators]
    if code in codes:
        return BY_CODE[code]
    return BY_CODE[DEFAULT_MAP_INDICATOR if DEFAULT_MAP_INDICATOR in codes else codes[0]]


def _parent(dashboard: Dashboard, area: Area) -> Area:
    for kecamatan in dashboard.city.children:
        if area in kecamatan.children:
            return kecamatan
    return dashboard.city


def _breaks(values: list[int]) -> list[tuple[int, str]]:
    """Quintile lower bounds of the shown values, each once, with its colour class; spread
    over the palette so few distinct values still run from light to dark (0 is lightest)."""
    ordered = sorted(values)
    lows = sorted(set(ordered))
    if len(lows) > CLASSES:
        lows = sorted({ordered[len(ordered) * i // CLASSES] for i in range(CLASSES)})
    if len(lows) == 1:
        return [(lows[0], "c0")]
    return [(low, f"c{round(i * (CLASSES - 1) / (len(lows) - 1))}") for i, low in enumerate(lows)]


def _klass(value: int | None, breaks: list[tuple[int, str]]) -> str:
    if value is None:
        return "c-hidden"
    return [css for low, css in breaks if value >= low][-1]


def month_label(month) -> str:
    """Short month names under the trend ("Jan", "Feb"…), so twelve labels fit the chart's
    width; the caption gives the period with its years."""
    return date_format(month, "M")


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def build_panel(dashboard: Dashboard, area: Area, code: str | None) -> Panel:
    indicator = pick_indicator(dashboard, code)
    # A kelurahan has no children: draw its kecamatan's, with it outlined.
    drawn = area if area.children else _parent(dashboard, area)
    level = "kecamatan" if drawn is dashboard.city else "kelurahan"
    # A rate where the indicator has one (issue 18, point 12): counts make the biggest
    # kecamatan look worst. Agency staff have no household base: their map colours counts.
    by_rate = indicator.code in RATES and RATES[indicator.code].of in drawn.cells
    code = indicator.code

    def coloured(area: Area) -> float | int | None:
        if by_rate:
            return rate_of(code, area.cells)
        return area.cells[code].value

    def display(area: Area) -> str:
        cell = area.cells[code]
        rate = rate_of(code, area.cells) if by_rate else None
        if rate is None:
            return cell.display
        return f"{format_rate(code, rate)} · {cell.display}"

    values = [coloured(c) for c in drawn.children]
    shown = [v for v in values if v is not None]
    breaks = _breaks(shown or [0])
    available = geo.shapes(level)
    shapes = [
        Shape(
            code=child.code,
            name=child.name,
            path=available[child.code][0],
            display=display(child),
            css_class=_klass(coloured(child), breaks),
            url=reverse("dashboards:district", args=[child.code]),
            current=child.code == area.code,
            label_x=available[child.code][2][0],
            label_y=available[child.code][2][1],
        )
        for child in drawn.children
        if child.code in available
    ]
    legend = []
    for index, (low, css) in enumerate(breaks if shown else []):
        if index + 1 < len(breaks):
            high = breaks[index + 1][0] - 1
            if by_rate:
                # A class holds low <= rate < the next low: its legend is the highest rate
                # drawn in it, so two classes never share a bound.
                high = max(v for v in shown if low <= v < breaks[index + 1][0])
                text = (
                    format_rate(code, low)
                    if high == low
                    else f"{format_rate(code, low)} – {format_rate(code, high)}"
                )
            else:
                text = _number(low) if high == low else f"{_number(low)}–{_number(high)}"
        else:
            text = f"{format_rate(code, low)}+" if by_rate else f"{_number(low)}+"
        legend.append((css, text))
    # The trend shows what the map colours: the rate where there is one, else the count.
    codes = [code, RATES[code].of] if by_rate else [code]
    points = []
    for month, cells in trend_cells(
        dashboard, area.code if area is not dashboard.city else "", codes
    ):
        if by_rate:
            rate = rate_of(code, cells)
            shown = format_rate(code, rate) if rate is not None else cells[code].display
            points.append((month, rate, shown))
        else:
            points.append((month, cells[code].value, cells[code].display))
    view_box, label_size = geo.view_box([s.code for s in shapes], level)
    labels = geo.place_labels(
        [
            (s.code, max(s.name, s.display, key=len), (s.label_x, s.label_y), available[s.code][1])
            for s in shapes
        ],
        label_size,
    )
    shapes = [
        replace(
            s,
            label_x=round(labels[s.code].x),
            label_y=round(labels[s.code].y),
            label_size=round(labels[s.code].size, 1),
        )
        for s in shapes
    ]
    return Panel(
        area=area,
        indicator=indicator,
        indicators=dashboard.indicators,
        shapes=shapes,
        view_box=view_box,
        label_size=label_size,
        legend=legend,
        chart=line_chart(
            [(month_label(month), value, shown) for month, value, shown in points],
            unit="%" if by_rate and RATES[code].per == 100 else "",
        ),
        rate_label=str(RATES[code].label) if by_rate else "",
        trend_period=(
            f"{date_format(points[0][0], 'M Y')} – {date_format(points[-1][0], 'M Y')}"
            if points
            else ""
        ),
    )
