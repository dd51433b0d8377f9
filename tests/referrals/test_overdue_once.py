"""Issue 19, point 2: "overdue" was written four times (the queryset, the list filter, the
metrics and the queue's counts). It is `referrals.models.overdue_q` now; this fails when a
second copy of its condition appears in the project's code."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "dashboards", "eligibility", "households", "referrals", "slrt")


def test_overdue_is_defined_once():
    copies = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and "due_date__lt" in path.read_text(encoding="utf-8")
    ]
    assert copies == ["referrals/models/__init__.py"]
