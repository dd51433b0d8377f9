"""The district map as inline SVG: GeoJSON lon/lat projected once into one plane, cached.

No tile server and no map library: 68 polygons drawn by the browser. One projection for the
whole city, so a kecamatan's kelurahan line up with it; each map takes the viewBox of the
shapes it draws. Boundaries: dashboards/data/ (copied from shared/data, see its README).
"""

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FILES = {"kecamatan": "bekasi_kecamatan.geojson", "kelurahan": "bekasi_kelurahan.geojson"}
SCALE = 10_000  # SVG units per degree of latitude: ~11 m each, finer than the data


@lru_cache(maxsize=1)
def _reference_latitude() -> float:
    """Equirectangular projection with the city's mean latitude: at 6° S distortion across a
    city of 15 km is far below a pixel, and no projection library is needed."""
    features = json.loads((DATA / FILES["kecamatan"]).read_text())["features"]
    return sum(f["properties"]["lat"] for f in features) / len(features)


def _ring(coordinates: list[list[float]], cos_lat: float) -> tuple[str, list[tuple[float, float]]]:
    points = [(lon * SCALE * cos_lat, -lat * SCALE) for lon, lat in coordinates]
    path = "M" + "L".join(f"{x:.0f},{y:.0f}" for x, y in points) + "Z"
    return path, points


@lru_cache(maxsize=2)
def shapes(level: str) -> dict[str, tuple[str, tuple[float, float, float, float], tuple[int, int]]]:
    """code → (SVG path, bounding box min_x, min_y, max_x, max_y, label point) per feature."""
    cos_lat = math.cos(math.radians(_reference_latitude()))
    features = json.loads((DATA / FILES[level]).read_text())["features"]
    result = {}
    for feature in features:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        parts, xs, ys = [], [], []
        for polygon in polygons:
            for ring in polygon:
                path, points = _ring(ring, cos_lat)
                parts.append(path)
                xs += [x for x, _ in points]
                ys += [y for _, y in points]
        box = (min(xs), min(ys), max(xs), max(ys))
        properties = feature["properties"]  # lat/lng: the centroid given with the data
        label = (round(properties["lng"] * SCALE * cos_lat), round(-properties["lat"] * SCALE))
        result[properties["code"]] = ("".join(parts), box, label)
    return result


def view_box(codes: list[str], level: str, margin: float = 0.03) -> tuple[str, float]:
    """The viewBox around the shapes of `codes`, and a label font size that suits it."""
    boxes = [shapes(level)[code][1] for code in codes if code in shapes(level)]
    if not boxes:
        return "0 0 1 1", 1.0
    min_x, min_y = min(b[0] for b in boxes), min(b[1] for b in boxes)
    max_x, max_y = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad = max(max_x - min_x, max_y - min_y) * margin
    width, height = max_x - min_x + 2 * pad, max_y - min_y + 2 * pad
    box = f"{min_x - pad:.0f} {min_y - pad:.0f} {width:.0f} {height:.0f}"
    return box, round(max(width, height) / 40, 1)


# Width of one character in em, for the label boxes (a generous mean for the UI font).
CHAR_EM = 0.58
# A label's box around its anchor: the name's line above the baseline, the value's below.
ABOVE_EM, BELOW_EM = 0.95, 1.35


@dataclass
class Label:
    code: str
    text: str  # the longer of its two lines
    x: float
    y: float
    size: float

    def box(self) -> tuple[float, float, float, float]:
        half = CHAR_EM * self.size * max(len(self.text), 1) / 2
        return (
            self.x - half,
            self.y - ABOVE_EM * self.size,
            self.x + half,
            self.y + BELOW_EM * self.size,
        )


def overlap(a: Label, b: Label) -> float:
    """How far two label boxes overlap vertically; 0 when they do not overlap."""
    p, q = a.box(), b.box()
    if p[2] <= q[0] or q[2] <= p[0] or p[3] <= q[1] or q[3] <= p[1]:
        return 0.0
    return min(p[3], q[3]) - max(p[1], q[1])


def place_labels(
    labels: list[tuple[str, str, tuple[int, int], tuple[float, float, float, float]]],
    size: float,
) -> dict[str, Label]:
    """Where each map label goes and at what font size, so that neighbours do not overlap.

    `labels`: (code, text of its longer line, anchor point, bounding box of its shape). A
    label is made smaller when its text is wider than its shape (down to 0.6 × `size`);
    labels whose boxes still overlap are pushed apart vertically, each by half the overlap,
    for a few rounds (Pondokmelati and Jatiasih on the city map)."""
    placed = []
    for code, text, (x, y), box in labels:
        fitting = 0.9 * (box[2] - box[0]) / (CHAR_EM * max(len(text), 1))
        placed.append(Label(code, text, x, y, max(0.6 * size, min(size, fitting))))
    for _ in range(30):
        moved = False
        for i, first in enumerate(placed):
            for second in placed[i + 1 :]:
                dy = overlap(first, second)
                if dy > 0:
                    upper, lower = (first, second) if first.y <= second.y else (second, first)
                    upper.y -= dy / 2 + 1
                    lower.y += dy / 2 + 1
                    moved = True
        if not moved:
            break
    return {label.code: label for label in placed}
