"""Reproducible installs: the lock files pin, with hashes, what pyproject.toml asks for, and
every install (make, CI, the image) goes through them."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def _pins(lock: str) -> dict[str, str]:
    return {canonicalize_name(n): v for n, v in PIN.findall((ROOT / lock).read_text())}


PRODUCTION = [Requirement(line) for line in PROJECT["dependencies"]]
DEV = [Requirement(line) for line in PROJECT["optional-dependencies"]["dev"]]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [("requirements.lock", PRODUCTION), ("requirements-dev.lock", PRODUCTION + DEV)],
)
def test_the_lock_pins_every_declared_dependency_within_its_range(lock, requirements):
    pins = _pins(lock)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in {lock}: run make lock"
        assert requirement.specifier.contains(pins[name]), (
            f"{lock} pins {name}=={pins[name]}, outside {requirement.specifier}: run make lock"
        )


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pinned_package_carries_its_hash(lock):
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text().split("\n", 2)[2])
    assert entries
    for entry in entries:
        assert "==" in entry.split()[0], entry
        assert "--hash=sha256:" in entry, f"no hash for {entry.split()[0]} in {lock}"


def test_every_dependency_has_an_upper_bound():
    for requirement in PRODUCTION + DEV:
        assert any(spec.operator in ("<", "<=", "==", "~=") for spec in requirement.specifier), (
            f"{requirement} has no upper bound"
        )


def test_make_and_the_image_install_from_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK := requirements-dev.lock" in makefile
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert not re.search(r"pip install (?!--require-hashes)", dockerfile)
