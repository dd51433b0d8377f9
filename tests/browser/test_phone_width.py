"""360 px everywhere (issue 18, point 3): every role, on a 360 x 800 phone, opens each page of
its navigation and each kind of page linked from there (a household, a referral, a finding, a
district...), and no page scrolls sideways: wide tables scroll inside their own box.
Django's admin site (staff only, its own styles) is left out. Screenshots of pages that do not
fit go to /tmp/shots/width-*.png."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from households.models import Household
from households.services import MemberChange, update_household
from referrals.models import Referral
from tests.browser.conftest import SHOTS, log_in
from tests.dashboards.registry import crafted_registry

# One group: the tests share one Chromium, so xdist (--dist loadgroup) gives them one worker.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

WIDTH = 360
ROLES = [
    "pendamping",
    "operator",
    "petugas_dinkes",
    "verifikator",
    "data_steward",
    "perencana",
    "pimpinan",
    "admin_user",
]
# Not pages to look at: files, the API, Django's admin, leaving.
SKIP = re.compile(
    r"^/(api|admin|static|media)/|/export|/template|/download|logout|\.(xlsx|csv|pdf)"
)


def _shape(path: str) -> str:
    """One page of each kind: /households/12/ and /households/13/ are the same kind."""
    return re.sub(r"\d+", "N", path)


def _local_paths(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(a => a.getAttribute('href'))")
    paths = []
    for href in hrefs:
        if not href or href.startswith("#") or href.startswith("javascript"):
            continue
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
            continue
        paths.append(parts.path)
    return paths


def _width(page, path: str, live_server) -> int:
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")  # htmx panels loaded on arrival
    return page.evaluate("document.documentElement.scrollWidth")


def _household_edited_with_history(verifikator) -> Household:
    """A household after an edit that changed a NIK and a name: the change-history table with
    16-digit numbers in it (422 px wide before issue 18)."""
    household = Household.objects.filter(kelurahan__code="32.75.01.1002").first()
    member = household.members.order_by("pk").first()
    nik = member.nik[:12] + ("0002" if member.nik[12:] != "0002" else "0003")
    row = {
        "nik": nik,
        "name": member.name + " Wijayakusuma",
        "sex": member.sex,
        "birth_date": member.birth_date,
        "relationship": member.relationship,
    }
    return update_household(
        household=household,
        data={"address": "Jalan Perumahan Margahayu Permai Blok C-17 Nomor 12A"},
        members=[MemberChange(member_id=member.pk, data=row, as_on_card=True)],
        expected_version=household.version,
        by=verifikator,
    )


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_360_px(request, browser, live_server, role, verifikator):
    registry = crafted_registry()
    edited = _household_edited_with_history(verifikator)
    user = request.getfixturevalue(role)
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        assert _width(page, "/accounts/login/", live_server) <= WIDTH
        log_in(page, live_server.url, user.username)
        page.wait_for_load_state("networkidle")

        # every page of the menu, then one page of each kind linked from those
        menu = _local_paths(page, "#site-menu a[href]")
        extra = [
            edited.get_absolute_url(),
            reverse("households:household_edit", args=[edited.pk]),
            reverse("dashboards:planning_city"),
            reverse("dashboards:planning", args=["32.75.01"]),
            reverse("dashboards:programs", args=["pkh"]),
        ]
        extra += [h.get_absolute_url() for h in registry.households]
        extra += [
            reverse("referrals:referral_detail", args=[pk])
            for pk in Referral.objects.order_by("pk").values_list("pk", flat=True)
        ]
        extra += [
            reverse("referrals:metrics"),
            reverse("referrals:referral_create", args=[edited.pk]),
        ]
        queue, seen, too_wide = list(dict.fromkeys(menu + extra)), set(), {}
        visited = []
        while queue:
            path = queue.pop(0)
            if _shape(path) in seen:
                continue
            seen.add(_shape(path))
            response = page.goto(f"{live_server.url}{path}")
            if response is None or response.status >= 400:
                continue  # a page outside this role's scope: its 403/404 is tested elsewhere
            page.wait_for_load_state("networkidle")
            if not page.locator("header.topbar").count():
                continue  # an htmx fragment (reached by a <noscript> link), not a page
            visited.append(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                too_wide[path] = width
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=SHOTS / f"width-{role}-{_shape(path).strip('/').replace('/', '_')}.png"
                )
            if path in menu:
                queue += [p for p in _local_paths(page, "main a[href]") if _shape(p) not in seen]
        assert menu, "the role's menu has pages"
        assert len(visited) >= len(menu)
        assert not too_wide, f"{role}: pages wider than {WIDTH} px: {too_wide}"
    finally:
        context.close()


def test_the_household_page_after_an_edit_fits(browser, live_server, verifikator, pendamping):
    """The page of the issue: the change history with NIKs, at 360 px; its table scrolls in
    its own box if it must, never the page."""
    crafted_registry()
    edited = _household_edited_with_history(verifikator)
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, locale="id-ID")
    page = context.new_page()
    try:
        log_in(page, live_server.url, pendamping.username)
        page.wait_for_load_state("networkidle")
        assert _width(page, edited.get_absolute_url(), live_server) <= WIDTH
        table = page.locator("table.changes").first
        table.scroll_into_view_if_needed()
        assert "Wijayakusuma" in page.inner_text("table.changes")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "width-household-history.png")
        box = page.locator(".table-wrap:has(table.changes)").first.bounding_box()
        assert box["x"] + box["width"] <= WIDTH
    finally:
        context.close()
