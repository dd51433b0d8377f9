"""The layering check (STYLE.md section 2, issue 19): dependencies point down.

    slrt  ←  households  ←  eligibility, referrals, accounts  ←  national  ←  dashboards

A lower app never names a higher one, nor a peer: no Python import, no
`apps.get_model("<app>", ...)`, no URL name "<app>:..." in code (reverse, redirect), and in
its templates no `{% url '<app>:...' %}`, no `perms.<app>`, no `{% include %}`/`{% extends %}`
of a template of that app. A higher app plugs into a lower one through the lower one's
registries (households.hooks, eligibility.hooks) in its AppConfig.ready(). The project's
wiring, which must know every app (settings, the root URLconf, the API router, the Celery
app), is exempt.

Pure: reads files, imports nothing of the project. `make lint` runs it
(`python -m slrt.layers`), and tests/test_layers.py runs it in the suite.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

LAYERS = {
    "slrt": 0,
    "households": 1,
    "eligibility": 2,
    "referrals": 2,
    "accounts": 2,
    "national": 3,
    "dashboards": 4,
}
# The composition root: these modules exist to name every app.
WIRING = frozenset(
    {"slrt/settings.py", "slrt/urls.py", "slrt/api.py", "slrt/celery.py", "slrt/wsgi.py"}
)

_URL_NAME = re.compile(r"([a-z_]+):[a-z0-9_]+")
_TEMPLATE_PATTERNS = (
    re.compile(r"{%\s*url\s+['\"]([a-z_]+):"),
    re.compile(r"\bperms\.([a-z_]+)\b"),
    re.compile(r"{%\s*(?:include|extends)\s+['\"]([a-z_]+)/"),
)


def may_use(app: str, other: str) -> bool:
    """Whether code of `app` may name `other`: itself, or an app of a lower layer."""
    return other == app or LAYERS[other] < LAYERS[app]


def _python_names(tree: ast.AST) -> Iterator[tuple[int, str, str]]:
    """(line, the app named, how) for every import, get_model and URL name in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0], f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module.split(".")[0], f"from {node.module} import"
        elif isinstance(node, ast.Call) and _called(node) == "get_model" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                label = first.value.split(".")[0]
                yield node.lineno, label, f"get_model({first.value!r})"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _URL_NAME.fullmatch(node.value)
            if match:
                yield node.lineno, match.group(1), f"URL name {node.value!r}"


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _template_names(text: str) -> Iterator[tuple[int, str, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern in _TEMPLATE_PATTERNS:
            for match in pattern.finditer(line):
                yield number, match.group(1), match.group(0)


def violations(root: Path) -> list[str]:
    """Every place under `root` (the project) where an app names a higher app or a peer."""
    found = []
    for app in LAYERS:
        folder = root / app
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if relative in WIRING or not path.is_file():
                continue
            if path.suffix == ".py":
                names = _python_names(ast.parse(path.read_text(encoding="utf-8")))
            elif path.suffix in (".html", ".txt") and "templates" in path.parts:
                names = _template_names(path.read_text(encoding="utf-8"))
            else:
                continue
            for line, other, how in names:
                if other in LAYERS and not may_use(app, other):
                    found.append(f"{relative}:{line}: {app} names {other} ({how})")
    return found


def main() -> int:
    found = violations(Path(__file__).resolve().parents[1])
    for line in found:
        sys.stderr.write(f"{line}\n")
    if found:
        sys.stderr.write(
            f"{len(found)} upward or sideways dependencies (STYLE.md section 2): a higher app "
            "registers with the lower one instead (households.hooks).\n"
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
