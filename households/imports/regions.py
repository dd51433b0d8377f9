"""Kelurahan and kecamatan as files spell them: names (joined or spaced, with or without
"Kel."), Kemendagri codes (dotted or not) and BPS codes (DOMAIN.md section 1). Pure: the
caller builds the index from Region rows; tests and the benchmark build it from the CSV."""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from households.imports.parsers import CellError
from slrt.messages import translatable as _

_NOT_LETTER = re.compile(r"[^A-Z]")
_NOT_DIGIT = re.compile(r"\D")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_KELURAHAN_PREFIXES = ("KELURAHAN", "KEL", "DESA", "DS")
_KECAMATAN_PREFIXES = ("KECAMATAN", "KEC")


def name_key(name: str) -> str:
    """Upper case, letters only. The same rule as households.reference.name_key (a test keeps
    them equal); copied because that module imports the ORM and this one must not."""
    return _NOT_LETTER.sub("", name.upper())


def _strip_prefix(key: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


@dataclass(frozen=True)
class Resolved:
    kelurahan_id: int
    other_id: int | None = None  # a bare 10-digit code that is another kelurahan's BPS code


@dataclass(frozen=True)
class RegionIndex:
    """Lookups for one city's kelurahan. Keys are name_key spellings and digit-only codes."""

    names: dict[int, str] = field(default_factory=dict)  # kelurahan id -> name
    kecamatan_names: dict[int, str] = field(default_factory=dict)  # kelurahan id -> kecamatan
    kecamatan_keys: dict[int, frozenset[str]] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)  # Kemendagri, digits only
    by_bps_code: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[tuple[int, str, str, str, str, str]]) -> "RegionIndex":
        """From (id, code, name, bps_code, bps_name, kecamatan_name) per kelurahan, e.g.
        Region.objects.filter(level="kelurahan").values_list(
            "id", "code", "name", "bps_code", "bps_name", "parent__name")."""
        by_name: dict[str, int] = {}
        by_code: dict[str, int] = {}
        by_bps: dict[str, int] = {}
        names, kec_names, kec_keys = {}, {}, {}
        for pk, code, name, bps_code, bps_name, kecamatan in rows:
            names[pk] = name
            kec_names[pk] = kecamatan
            digits = _NOT_DIGIT.sub("", code)
            by_code[digits] = pk
            for spelling in (name, bps_name):
                if spelling:
                    by_name.setdefault(name_key(spelling), pk)
            keys = {name_key(kecamatan), digits[:6]}
            if bps_code:
                by_bps[bps_code] = pk
                keys.add(bps_code[:7])
            kec_keys[pk] = frozenset(keys)
        return cls(
            names=names,
            kecamatan_names=kec_names,
            kecamatan_keys=kec_keys,
            by_name=by_name,
            by_code=by_code,
            by_bps_code=by_bps,
        )

    @classmethod
    def from_csv(cls, path: Path) -> "RegionIndex":
        """From a file shaped like households/data/bekasi_regions.csv; ids are 1, 2, ... in
        file order of the kelurahan rows (tests and benchmarks: no database)."""
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        kecamatan = {r["code"]: r["name"] for r in rows if r["level"] == "kecamatan"}
        kelurahan = [r for r in rows if r["level"] == "kelurahan"]
        return cls.build(
            (i, r["code"], r["name"], r["bps_code"], r["bps_name"], kecamatan[r["parent_code"]])
            for i, r in enumerate(kelurahan, start=1)
        )

    def id_for_code(self, code: str) -> int:
        return self.by_code[_NOT_DIGIT.sub("", code)]

    def resolve(self, text: str, *, prefer_bps: bool = False) -> Resolved:
        """A kelurahan cell -> its id. A bare 10-digit code is read as Kemendagri (or BPS
        when the source format is BPS-derived); if it is also the other list's code for a
        different kelurahan, the other id is returned so the caller can warn."""
        text = text.strip()
        if not _HAS_LETTER.search(text):
            digits = _NOT_DIGIT.sub("", text)
            if "." in text:
                found = self.by_code.get(digits)
                if found is not None:
                    return Resolved(found)
            else:
                first, second = (self.by_code, self.by_bps_code)
                if prefer_bps:
                    first, second = second, first
                found, other = first.get(digits), second.get(digits)
                if found is not None:
                    return Resolved(found, other if other not in (None, found) else None)
                if other is not None:
                    return Resolved(other)
        else:
            key = name_key(text)
            found = self.by_name.get(key)
            if found is None:
                found = self.by_name.get(_strip_prefix(key, _KELURAHAN_PREFIXES))
            if found is not None:
                return Resolved(found)
        raise CellError(
            "kelurahan_unknown",
            _(
                "Kelurahan %(value)s is not known. Write its name as in the template's list "
                "(for example Bekasijaya) or its code (for example 32.75.01.1001)."
            )
            % {"value": text},
        )

    def kecamatan_matches(self, kelurahan_id: int, text: str) -> bool:
        """Does a kecamatan cell (name, 'Kec. ...', Kemendagri or BPS code) name the
        kecamatan of this kelurahan?"""
        if _HAS_LETTER.search(text):
            key = name_key(text)
            keys = self.kecamatan_keys.get(kelurahan_id, frozenset())
            return key in keys or _strip_prefix(key, _KECAMATAN_PREFIXES) in keys
        return _NOT_DIGIT.sub("", text) in self.kecamatan_keys.get(kelurahan_id, frozenset())
