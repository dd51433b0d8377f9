"""Journeys 2, 3 and 1 closed into one loop: Pak Dedi at the Puskesos desk records a complaint
and refers it to Dinas Kesehatan; Ibu Sari takes it from her queue and resolves it; Bu Rina,
the facilitator, sees the outcome on her phone. Screenshots go to /tmp/shots/referral-*.png."""

import pytest
from playwright.sync_api import expect

from households.identifiers import mask_identifier
from referrals.models import Referral, Status
from tests.browser.conftest import log_in, open_menu, shot

# One group: the tests share one Chromium, so xdist (--dist loadgroup) gives them one worker.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_desk_complaint_is_referred_served_and_seen_by_the_facilitator(
    browser,
    desktop,
    phone,
    live_server,
    operator,
    petugas_dinkes,
    pendamping,
    household_in_margahayu,
    health,
):
    household = household_in_margahayu
    # given: a woman at the desk asks for help with her mother's health card
    page = desktop
    log_in(page, live_server.url, operator.username)
    page.click("nav >> text=Pengaduan")
    page.click("text=Catat Pengaduan")
    page.fill("#id_q", household.kk_number)
    page.click("button:has-text('Cari')")
    page.click("text=Pilih keluarga ini")
    expect(page.locator("#family")).to_contain_text(household.kk_number)
    page.fill("#id_complainant_name", "Ibu Sumarni")
    page.fill("#id_request", "Kartu JKN ibu saya tidak aktif, beliau perlu berobat.")
    shot(page, "referral", "1-complaint")
    page.click("text=Simpan pengaduan")
    expect(page.locator(".messages")).to_contain_text("Pengaduan dicatat")
    # when: he refers it to Dinas Kesehatan
    page.click("text=Buat Rujukan")
    page.select_option("#id_category", str(health.pk))
    page.fill("#id_description", "Aktifkan PBI-JK untuk ibu (lansia).")
    page.click("text=Kirim rujukan")
    expect(page.locator(".messages")).to_contain_text("Rujukan dikirim ke Dinas Kesehatan")
    expect(page.locator("#referrals")).to_contain_text("Kesehatan / JKN")
    shot(page, "referral", "2-referred")
    referral = Referral.objects.get()
    assert (referral.status, referral.agency.code) == (Status.SUBMITTED, "dinkes")

    # then: Ibu Sari sees it in her queue, takes it and resolves it
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    officer = context.new_page()
    officer.set_default_timeout(15_000)
    log_in(officer, live_server.url, petugas_dinkes.username)
    officer.click("nav >> text=Antrean Rujukan")
    expect(officer.locator(".tiles")).to_contain_text("1")
    # Issue 7: lists show the KK masked.
    expect(officer.locator("#results")).to_contain_text(mask_identifier(household.kk_number))
    shot(officer, "referral", "3-queue")
    officer.click(f"a[href='/referrals/{referral.pk}/']")
    officer.click("button:has-text('Terima')")
    expect(officer.locator(".status").first).to_contain_text("Diterima")
    officer.click("summary:has-text('Selesai')")
    officer.select_option("#id_outcome_resolve", "served")
    officer.fill("#id_note_resolve", "PBI-JK aktif mulai 1 Desember; kartu diambil di Puskesmas.")
    officer.click("form button:has-text('Selesai')")
    expect(officer.locator(".status").first).to_contain_text("Selesai")
    shot(officer, "referral", "4-resolved")
    context.close()

    # and: Bu Rina, on her phone, sees how it ended
    log_in(phone, live_server.url, pendamping.username)
    open_menu(phone)
    phone.click("nav >> text=Rujukan")
    expect(phone.locator("#results")).to_contain_text("Hasil: terlayani")
    phone.click(f"a[href='/referrals/{referral.pk}/']")
    expect(phone.locator("#history")).to_contain_text("PBI-JK aktif mulai 1 Desember")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    shot(phone, "referral", "5-outcome")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (Status.RESOLVED, "served")
