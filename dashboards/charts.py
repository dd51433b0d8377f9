"""Trend charts as server-rendered SVG: coordinates computed here, drawn by a template.

Pure (no database). A month whose value is hidden (small-cell suppression) breaks the line
rather than being drawn as zero.
"""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 600, 180
LEFT, RIGHT, TOP, BOTTOM = 56, 32, 12, 28


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[str]  # polyline "x,y x,y" runs, split where a value is hidden
    dots: list[tuple[float, float, str, str]]  # x, y, month label, value label
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    baseline: float


def _nice_max(value: int) -> int:
    """The top of the axis: four equal steps of 1, 1.5, 2, 2.5, 3 or 5 times a power of ten."""
    raw = max(value, 4) / 4
    magnitude = 10 ** (len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 1.5, 2, 2.5, 3, 5, 10) if m * magnitude >= raw)
    return int(step * 4)


def line_chart(points: list[tuple[str, float | None, str]], unit: str = "") -> Chart | None:
    """`points`: (month label, value or None when hidden, value as displayed), oldest first;
    `unit` follows the axis' numbers ("%" for a rate). With more than six months, every
    other month's label is left out so they never run into each other (the dots keep theirs)."""
    if not points:
        return None
    top = _nice_max(math.ceil(max((v for _, v, _ in points if v is not None), default=0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def y_of(value: int) -> float:
        return round(TOP + plot_h - value / top * plot_h, 1)

    lines, run, dots, x_labels = [], [], [], []
    for index, (label, value, shown) in enumerate(points):
        x = round(LEFT + index * step, 1) if len(points) > 1 else LEFT + plot_w / 2
        if len(points) <= 6 or (len(points) - 1 - index) % 2 == 0:  # the latest is labelled
            x_labels.append((x, label))
        if value is None:
            if run:
                lines.append(" ".join(run))
            run = []
            continue
        run.append(f"{x},{y_of(value)}")
        dots.append((x, y_of(value), label, shown))
    if run:
        lines.append(" ".join(run))
    y_ticks = [(y_of(top * i // 4), f"{top * i // 4:,}".replace(",", ".") + unit) for i in range(5)]
    return Chart(WIDTH, HEIGHT, lines, dots, y_ticks, x_labels, y_of(0))
