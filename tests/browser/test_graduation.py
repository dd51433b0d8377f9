"""Issue 21 part 4, done when: after a family's needs are met, Bu Rina (facilitator, 360 px
phone) proposes its graduation from the household page; Pak Hasan (verifier, 1366 px laptop)
confirms it from his queue with the evidence and the criteria in front of him; the mayor's
office (pimpinan) sees it in this month's graduations of the kecamatan, a figure at or above
the small-cell threshold. Screenshots: /tmp/shots/graduation-*.png."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from eligibility.models import GRADUATION_READY, POOR, Graduation, Rule, RuleSet
from households.models import Enrolment
from tests.browser.conftest import log_in, open_menu, shot
from tests.dashboards.test_graduations import graduate
from tests.eligibility.test_graduation import ready_family
from tests.households.factories import persona

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# What the data migrations seed (a transactional test before this one may have emptied the
# tables): the two definitions graduation reads.
DEFINITIONS = {
    POOR: {"field": "welfare_decile", "op": "between", "value": [1, 4]},
    GRADUATION_READY: {
        "all": [
            {"field": "assessed_income_pct", "op": ">", "value": 100},
            {"field": "earlier_assessed_income_pct", "op": ">", "value": 100},
            {"field": "open_exclusion_findings", "op": "=", "value": 0},
        ]
    },
}


def _definitions() -> None:
    rule_set = RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).first()
    if rule_set is None:
        rule_set = RuleSet.objects.create(version=1, status=RuleSet.Status.ACTIVE)
    for code, condition in DEFINITIONS.items():
        if not rule_set.rules.filter(code=code).exists():
            Rule.objects.create(
                rule_set=rule_set, code=code, name_id=code, name_en=code,
                kind=Rule.Kind.DEFINITION, condition=condition, message="",
            )  # fmt: skip


def _fits(page, width: int, name: str) -> None:
    page.wait_for_load_state("networkidle")
    shot(page, "graduation", name)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: {scroll} px wide on a {width} px screen"


def test_a_graduation_goes_from_the_facilitator_to_the_mayors_dashboard(
    live_server, phone, laptop, browser, margahayu
):
    rina = persona("pendamping", kelurahan=[margahayu], username="rina")
    hasan = persona("verifikator", agency_code="dinsos", username="hasan")
    persona("pimpinan", username="walikota")
    _definitions()
    family = ready_family(margahayu, rina)
    for _ in range(4):  # four families of Margahayu graduated earlier this month
        graduate(margahayu, at=timezone.now(), by=hasan)

    # Bu Rina, on her phone: the household page leads to "Usulkan graduasi".
    page = phone
    log_in(page, live_server.url, "rina", lands_on="/households/")
    page.goto(f"{live_server.url}{family.get_absolute_url()}")
    page.wait_for_selector("#graduation a.button")
    page.click("#graduation a.button")
    expect(page.locator("h1")).to_have_text("Usulkan graduasi")
    expect(page.locator(".badge.ok")).to_have_text("Kriteria terpenuhi")
    _fits(page, 360, "1-propose")
    page.check("input[name=kind][value=criteria]")
    page.fill("#id_evidence", "Kepala keluarga bekerja tetap sebagai sopir sejak Maret.")
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}{family.get_absolute_url()}")
    expect(page.locator("#graduation")).to_contain_text("Diusulkan, menunggu verifikasi")
    _fits(page, 360, "2-proposed")
    graduation = Graduation.objects.get(household=family, status="proposed")

    # Pak Hasan, on his laptop: the queue, the proposal with the evidence and the criteria.
    page = laptop
    log_in(page, live_server.url, "hasan")
    page.goto(f"{live_server.url}/eligibility/graduations/")
    expect(page.locator("h1")).to_have_text("Graduasi untuk diverifikasi")
    _fits(page, 1366, "3-queue")
    page.click(f"a[href='/eligibility/graduations/{graduation.pk}/']")
    expect(page.locator(".evidence")).to_contain_text("sopir sejak Maret")
    expect(page.locator("ul.graduation-criteria li.criterion.met")).to_have_count(3)
    _fits(page, 1366, "4-decide")
    page.check("input[name=decision][value=confirm]")
    page.fill("#id_note", "Kunjungan rumah: slip gaji dilihat.")
    page.click("form.card button.primary")
    page.wait_for_url(f"{live_server.url}/eligibility/graduations/")
    expect(page.locator(".messages")).to_contain_text("Graduasi dikonfirmasi")
    graduation.refresh_from_db()
    assert graduation.status == Graduation.Status.CONFIRMED
    assert set(family.enrolments.values_list("end_reason", flat=True)) == {"graduasi"}
    assert not family.enrolments.filter(status=Enrolment.Status.ACTIVE).exists()

    # The mayor's office: this month's graduations of Bekasi Timur, 5: not below the threshold.
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "walikota")
    open_menu(page)
    page.goto(f"{live_server.url}/dashboards/districts/")
    cell = page.locator("tr[data-code='32.75.01'] td[data-indicator=graduated_households]")
    expect(cell).to_have_text("5")
    header = page.locator("th[title]", has_text="Keluarga graduasi")
    expect(header).to_have_count(1)
    _fits(page, 1366, "5-mayor")
    assert family.head_name not in page.content()
    context.close()
