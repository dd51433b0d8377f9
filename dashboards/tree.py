"""City → kecamatan → kelurahan: per-kelurahan counts summed upwards, then suppressed.

Kecamatan and city figures are sums of the kelurahan figures (so the levels always add up);
for aggregate-only roles each indicator then goes through `dashboards.suppression`, and a
hidden cell carries no value at all from here on, so no template, export or sort can leak it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.utils.formats import number_format

from dashboards.suppression import State, suppress
from households.models import Region


@dataclass(frozen=True)
class Cell:
    value: int | None  # None when hidden
    state: State = State.SHOWN
    change: int | None = None  # against last month's snapshot, when both are shown
    threshold: int = 0

    @property
    def display(self) -> str:
        if self.state == State.SMALL:
            return f"<{self.threshold}"
        if self.state == State.HIDDEN:
            return "×"
        return number_format(self.value, force_grouping=True)

    @property
    def sort_key(self) -> int:
        # Hidden cells sort together below every shown one, in name order (stable sort).
        return -1 if self.value is None else self.value


@dataclass
class Area:
    code: str
    name: str
    level: str
    cells: dict[str, Cell] = field(default_factory=dict)
    children: list["Area"] = field(default_factory=list)

    def walk(self) -> Iterable["Area"]:
        yield self
        for child in self.children:
            yield from child.walk()


def build_tree(
    kelurahan: Iterable[Region],
    counts: dict[int, dict[str, int]],
    codes: Iterable[str],
    *,
    threshold: int | None,
) -> Area:
    """The tree of the kelurahan given (each with `parent__parent` selected). `threshold`:
    None shows every count (roles that see personal data anyway), else suppresses below it."""
    codes = tuple(codes)
    city = Area(code="", name="", level=Region.Level.KOTA)
    by_code: dict[str, Area] = {}
    for region in sorted(kelurahan, key=lambda r: r.code):
        kecamatan = region.parent
        if kecamatan.code not in by_code:
            by_code[kecamatan.code] = Area(kecamatan.code, kecamatan.name, kecamatan.level)
            city.children.append(by_code[kecamatan.code])
            if kecamatan.parent is not None:
                city.code, city.name = kecamatan.parent.code, kecamatan.parent.name
        values = counts.get(region.pk, {})
        leaf = Area(region.code, region.name, region.level)
        leaf.cells = {code: Cell(values.get(code, 0)) for code in codes}
        by_code[kecamatan.code].children.append(leaf)
    for area in [*city.children, city]:
        area.cells = {
            code: Cell(sum(child.cells[code].value for child in area.children)) for code in codes
        }
    if threshold is not None:
        _suppress(city, codes, threshold)
    return city


def _suppress(city: Area, codes: tuple[str, ...], threshold: int) -> None:
    for code in codes:
        tree = {
            kec.code: {kel.code: kel.cells[code].value for kel in kec.children}
            for kec in city.children
        }
        states = suppress(tree, threshold)
        for kec in city.children:
            _set_state(kec, code, states.kecamatan[kec.code], threshold)
            for kel in kec.children:
                _set_state(kel, code, states.kelurahan[kel.code], threshold)
        _set_state(city, code, states.city, threshold)


def _set_state(area: Area, code: str, state: State, threshold: int) -> None:
    if state != State.SHOWN:
        area.cells[code] = Cell(None, state, threshold=threshold)


def find(city: Area, code: str) -> Area | None:
    return next((area for area in city.walk() if area.code == code), None)


def with_changes(current: Area, previous: Area | None) -> None:
    """Each shown cell gets its change against the same area's shown cell last month."""
    if previous is None:
        return
    before = {area.code: area.cells for area in previous.walk()}
    for area in current.walk():
        for code, cell in area.cells.items():
            old = before.get(area.code, {}).get(code)
            if cell.value is not None and old is not None and old.value is not None:
                area.cells[code] = replace(cell, change=cell.value - old.value)


SORTS = ("name", "-name")


def sorted_children(area: Area, sort: str) -> tuple[list[Area], str]:
    """The children of `area` in the order `?sort=` asks (`code`, `-code` for an indicator,
    `name`, `-name`); an unknown key falls back to the code order."""
    key = sort.lstrip("-")
    reverse = sort.startswith("-")
    if key == "name":
        return sorted(area.children, key=lambda a: a.name, reverse=reverse), sort
    if area.children and key in area.children[0].cells:
        ordered = sorted(area.children, key=lambda a: a.name)
        ordered.sort(key=lambda a: a.cells[key].sort_key, reverse=reverse)
        return ordered, sort
    return list(area.children), ""
