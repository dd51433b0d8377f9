"""Referral pages: the agency's queue, a referral's page and its actions, raising one from a
household, the desk's complaints, documents, and scope per role."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from households.models import AccessRecord, Agency, Household
from referrals.models import Attachment, Complaint, Notification, Referral, Status
from referrals.services import raise_referral, transition_referral
from tests.households.factories import persona
from tests.households.posts import form_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def referral(household_in_margahayu, health, operator):
    return raise_referral(
        household=household_in_margahayu,
        category=health,
        description="Kartu JKN nenek belum aktif",
        by=operator,
    )


@pytest.fixture
def colleague(reference_data):
    return persona("petugas_opd", agency_code="dinkes", username="budi")


@pytest.fixture
def operator_bintara(bintara):
    return persona("operator_puskesos", kelurahan=[bintara], username="yanti")


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _detail(referral) -> str:
    return reverse("referrals:referral_detail", args=[referral.pk])


def _act(client, referral, action, **data):
    url = reverse("referrals:referral_transition", args=[referral.pk])
    return client.post(url, {"action": action, **data})


# --- the queue ---------------------------------------------------------------------------


def test_the_queue_shows_the_agencys_referrals_earliest_deadline_first(
    client, referral, petugas_dinkes, household_in_margahayu, health, operator
):
    later = raise_referral(
        household=household_in_margahayu, category=health, description="Kursi roda", by=operator
    )
    Referral.objects.filter(pk=later.pk).update(due_date=referral.due_date + timedelta(days=3))
    client.force_login(petugas_dinkes)
    response = client.get(reverse("referrals:queue"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"].object_list] == [referral.pk, later.pk]
    assert response.context["queue_counts"].new == 2


def test_the_queue_lists_urgent_referrals_first_and_says_so(
    client, referral, petugas_dinkes, household_in_margahayu, health, operator
):
    urgent = raise_referral(
        household=household_in_margahayu,
        category=health,
        description="Sesak napas",
        by=operator,
        priority="urgent",
    )
    Referral.objects.filter(pk=urgent.pk).update(due_date=referral.due_date + timedelta(days=1))
    client.force_login(petugas_dinkes)
    response = client.get(reverse("referrals:queue"))
    assert [r.pk for r in response.context["page"].object_list] == [urgent.pk, referral.pk]
    assert "mendesak di atas" in response.content.decode()


def test_an_urgent_referral_from_the_form_gets_the_short_deadline(
    client, pendamping, household_in_margahayu, health
):
    client.force_login(pendamping)
    url = reverse("referrals:referral_create", args=[household_in_margahayu.pk])
    client.post(url, {"category": health.pk, "description": "Sesak", "priority": "urgent"})
    referral = Referral.objects.get()
    assert referral.due_date == timezone.localdate() + timedelta(days=health.urgent_deadline_days)


def test_the_queue_hides_other_agencies_referrals_and_drafts(
    client, referral, petugas_disdik, petugas_dinkes, household_in_margahayu, health, operator
):
    draft = raise_referral(
        household=household_in_margahayu,
        category=health,
        description="draft",
        by=operator,
        submit=False,
    )
    client.force_login(petugas_disdik)
    assert client.get(reverse("referrals:queue")).context["page"].paginator.count == 0
    client.force_login(petugas_dinkes)
    shown = list(client.get(reverse("referrals:queue")).context["page"].object_list)
    assert referral in shown
    assert draft not in shown


def test_the_queue_filters_overdue_and_counts_them(client, referral, petugas_dinkes):
    Referral.objects.filter(pk=referral.pk).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    client.force_login(petugas_dinkes)
    response = client.get(reverse("referrals:queue"), {"overdue": "true"})
    assert [r.pk for r in response.context["page"].object_list] == [referral.pk]
    assert response.context["queue_counts"].overdue == 1
    assert "terlambat 2 hari" in response.content.decode()


def test_the_count_cards_filter_the_queue_keep_other_filters_and_show_which_is_on(
    client, referral, petugas_dinkes, household_in_margahayu, health, operator
):
    taken = raise_referral(
        household=household_in_margahayu, category=health, description="Obat", by=operator
    )
    transition_referral(referral=taken, action="accept", by=petugas_dinkes)
    client.force_login(petugas_dinkes)
    queue = reverse("referrals:queue")
    tiles = {t.key: t for t in client.get(queue, {"category": health.code}).context["tiles"]}
    assert (tiles["new"].count, tiles["in_hand"].count) == (1, 1)
    assert not any(t.active for t in tiles.values())
    assert f"category={health.code}" in tiles["in_hand"].href  # the other filter stays
    # when: the "being handled" card is followed
    response = client.get(queue + tiles["in_hand"].href)
    # then: the queue shows those, the card says it is on, and its link clears it
    assert [r.pk for r in response.context["page"].object_list] == [taken.pk]
    active = [t for t in response.context["tiles"] if t.active]
    assert [t.key for t in active] == ["in_hand"]
    assert "status" not in active[0].href
    html = response.content.decode()
    assert 'aria-current="true"' in html
    assert html.count('type="hidden" name="status"') == 2  # the form keeps both statuses
    new = client.get(queue + tiles["new"].href)
    assert [r.pk for r in new.context["page"].object_list] == [referral.pk]


def test_the_queue_filter_by_status_and_kelurahan(client, referral, petugas_dinkes, bintara):
    client.force_login(petugas_dinkes)
    accepted = client.get(reverse("referrals:queue"), {"status": "accepted"})
    assert accepted.context["page"].paginator.count == 0
    elsewhere = client.get(reverse("referrals:queue"), {"kelurahan": bintara.code})
    assert elsewhere.context["page"].paginator.count == 0


def test_an_htmx_filter_gets_only_the_results(client, referral, petugas_dinkes):
    client.force_login(petugas_dinkes)
    response = client.get(reverse("referrals:queue"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html


def test_the_navigation_counts_new_referrals_for_agency_staff(client, referral, petugas_dinkes):
    client.force_login(petugas_dinkes)
    html = client.get(reverse("referrals:queue")).content.decode()
    assert 'class="count-badge"' in html


@pytest.mark.parametrize("persona", ["pendamping", "operator", "perencana", "verifikator"])
def test_only_agency_staff_have_a_queue(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("referrals:queue")).status_code == 403


def test_bulk_assignment_to_a_colleague(client, referral, petugas_dinkes, colleague):
    client.force_login(petugas_dinkes)
    response = client.post(
        reverse("referrals:assign"), {"referrals": [referral.pk], "assignee": colleague.pk}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.assignee == colleague


def test_assigning_to_staff_of_another_agency_is_refused(
    client, referral, petugas_dinkes, petugas_disdik
):
    client.force_login(petugas_dinkes)
    response = client.post(
        reverse("referrals:assign"), {"referrals": [referral.pk], "assignee": petugas_disdik.pk}
    )
    referral.refresh_from_db()
    assert referral.assignee is None
    assert _messages(response)  # the colleague list offers only the agency's own staff


def test_another_agency_cannot_assign_our_referrals(client, referral, petugas_disdik):
    client.force_login(petugas_disdik)
    client.post(reverse("referrals:assign"), {"referrals": [referral.pk], "assignee": 1})
    referral.refresh_from_db()
    assert referral.assignee is None


# --- one referral ------------------------------------------------------------------------


def test_agency_staff_see_only_what_the_referral_needs_and_the_read_is_logged(
    client, referral, petugas_dinkes
):
    client.force_login(petugas_dinkes)
    response = client.get(_detail(referral))
    assert response.status_code == 200
    html = response.content.decode()
    assert referral.household.kk_number in html
    assert referral.household.get_absolute_url() not in html
    record = AccessRecord.objects.get()
    assert (record.user, record.household) == (petugas_dinkes, referral.household)
    assert record.via == f"referral {referral.pk}"


def test_the_origin_reading_a_referral_is_not_logged(client, referral, operator):
    client.force_login(operator)
    assert client.get(_detail(referral)).status_code == 200
    assert not AccessRecord.objects.exists()


@pytest.mark.parametrize("persona", ["petugas_disdik", "operator_bintara"])
def test_a_referral_outside_scope_is_404(client, request, referral, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_detail(referral)).status_code == 404
    assert _act(client, referral, "accept").status_code == 404


def test_aggregate_roles_cannot_open_referrals(client, referral, perencana):
    client.force_login(perencana)
    assert client.get(_detail(referral)).status_code == 403


def test_the_page_offers_only_the_actions_the_user_may_take(
    client, referral, petugas_dinkes, operator
):
    client.force_login(petugas_dinkes)
    offered = [a.action for a in client.get(_detail(referral)).context["actions"]]
    assert offered == ["accept", "return", "transfer", "reject"]
    client.force_login(operator)
    assert client.get(_detail(referral)).context["actions"] == []


def test_accept_then_resolve_from_the_page(client, referral, petugas_dinkes):
    client.force_login(petugas_dinkes)
    assert _act(client, referral, "accept").status_code == 302
    response = _act(
        client, referral, "resolve", outcome="served", note="PBI-JK aktif mulai bulan depan"
    )
    assert response.url == _detail(referral)
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.assignee) == (
        Status.RESOLVED,
        "served",
        petugas_dinkes,
    )


def test_resolving_without_a_note_is_refused_with_a_message(client, referral, petugas_dinkes):
    client.force_login(petugas_dinkes)
    _act(client, referral, "accept")
    response = _act(client, referral, "resolve", outcome="served", note="")
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert any("catatan" in message.lower() for message in _messages(response))


def test_closing_from_the_page_asks_for_a_note(client, referral, petugas_dinkes, operator):
    transition_referral(referral=referral, action="accept", by=petugas_dinkes)
    transition_referral(
        referral=referral, action="resolve", by=petugas_dinkes, outcome="served", note="Aktif"
    )
    client.force_login(operator)
    page = client.get(_detail(referral))
    close = next(a for a in page.context["actions"] if a.action == "close")
    assert (close.asks_note, close.needs_note) == (True, True)
    html = page.content.decode()
    form = html[html.index('value="close"') : html.index("</form>", html.index('value="close"'))]
    assert "required" in form[form.index("<textarea") :]
    response = _act(client, referral, "close", note="")
    referral.refresh_from_db()
    assert referral.status == Status.RESOLVED
    assert any("catatan" in message.lower() for message in _messages(response))
    _act(client, referral, "close", note="Keluarga sudah memakai kartunya")
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED


def test_the_second_officer_to_accept_is_told_who_took_it(
    client, referral, petugas_dinkes, colleague
):
    transition_referral(referral=referral, action="accept", by=colleague)
    client.force_login(petugas_dinkes)
    response = _act(client, referral, "accept")
    assert response.status_code == 302
    assert any("tidak dapat" in m or "budi" in m.lower() for m in _messages(response))
    referral.refresh_from_db()
    assert referral.assignee == colleague


def test_an_unknown_action_is_a_message_not_a_500(client, referral, petugas_dinkes):
    client.force_login(petugas_dinkes)
    response = _act(client, referral, "explode")
    assert response.status_code == 302
    assert _messages(response)


def test_a_transfer_goes_back_to_the_queue(client, referral, petugas_dinkes):
    client.force_login(petugas_dinkes)
    dinsos = Agency.objects.get(code="dinsos")
    response = _act(client, referral, "transfer", to_agency=dinsos.pk, note="Bukan wewenang")
    assert response.url == reverse("referrals:queue")
    referral.refresh_from_db()
    assert referral.agency == dinsos
    assert client.get(_detail(referral)).status_code == 404  # no longer ours to see


# --- raising a referral ------------------------------------------------------------------


def test_a_facilitator_raises_a_referral_from_the_household(
    client, pendamping, household_in_margahayu, health
):
    client.force_login(pendamping)
    url = reverse("referrals:referral_create", args=[household_in_margahayu.pk])
    member = household_in_margahayu.members.first()
    response = client.post(
        url,
        {
            "category": health.pk,
            "member": member.pk,
            "description": "Nenek butuh kartu JKN",
            "priority": "normal",
        },
    )
    referral = Referral.objects.get()
    assert response.url == _detail(referral)
    assert (referral.status, referral.agency.code, referral.member) == (
        Status.SUBMITTED,
        "dinkes",
        member,
    )
    assert referral.due_date == timezone.localdate() + timedelta(days=14)


def test_a_referral_form_with_errors_keeps_the_page(client, pendamping, household_in_margahayu):
    client.force_login(pendamping)
    url = reverse("referrals:referral_create", args=[household_in_margahayu.pk])
    response = client.post(url, {"description": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Referral.objects.exists()


def test_no_referral_for_a_household_outside_scope(client, pendamping, household_in_bintara):
    client.force_login(pendamping)
    url = reverse("referrals:referral_create", args=[household_in_bintara.pk])
    assert client.get(url).status_code == 404


def test_agency_staff_cannot_raise_referrals(client, referral, petugas_dinkes):
    client.force_login(petugas_dinkes)
    url = reverse("referrals:referral_create", args=[referral.household.pk])
    assert client.get(url).status_code == 403


def test_the_household_page_lists_its_referrals(client, referral, pendamping):
    client.force_login(pendamping)
    page = client.get(referral.household.get_absolute_url()).content.decode()
    assert reverse("referrals:household_referrals", args=[referral.household.pk]) in page
    section = client.get(reverse("referrals:household_referrals", args=[referral.household.pk]))
    assert _detail(referral) in section.content.decode()


# --- the closed loop ---------------------------------------------------------------------


def test_the_origin_sees_the_outcome_and_what_waits_for_it_first(
    client, referral, operator, petugas_dinkes, household_in_margahayu, health
):
    other = raise_referral(
        household=household_in_margahayu, category=health, description="Obat", by=operator
    )
    transition_referral(referral=referral, action="accept", by=petugas_dinkes)
    transition_referral(
        referral=referral, action="resolve", by=petugas_dinkes, outcome="served", note="Aktif"
    )
    client.force_login(operator)
    response = client.get(reverse("referrals:referral_list"))
    assert [r.pk for r in response.context["page"].object_list] == [referral.pk, other.pk]
    assert "terlayani" in response.content.decode().lower()
    assert 'class="count-badge"' in response.content.decode()  # one waits to be closed


def test_agency_staff_have_no_list_of_raised_referrals(client, petugas_dinkes):
    client.force_login(petugas_dinkes)
    assert client.get(reverse("referrals:referral_list")).status_code == 403


# --- complaints at the desk --------------------------------------------------------------


def test_the_desk_finds_the_family_and_records_a_complaint(
    client, operator, household_in_margahayu, margahayu
):
    client.force_login(operator)
    url = reverse("referrals:complaint_create")
    search = client.get(url, {"q": household_in_margahayu.kk_number})
    assert household_in_margahayu in list(search.context["found"])
    response = client.post(
        f"{url}?household={household_in_margahayu.pk}",
        {
            "complainant_name": "Ibu Sumarni",
            "kelurahan": margahayu.pk,
            "household": household_in_margahayu.pk,
            "request": "Biaya sekolah anak",
        },
    )
    complaint = Complaint.objects.get()
    assert response.url == reverse("referrals:complaint_detail", args=[complaint.pk])
    assert (complaint.household, complaint.received_by) == (household_in_margahayu, operator)


def test_a_referral_raised_from_a_complaint_returns_to_it(
    client, operator, household_in_margahayu, margahayu, health
):
    client.force_login(operator)
    complaint = Complaint.objects.create(
        kelurahan=margahayu,
        household=household_in_margahayu,
        complainant_name="Ibu Sumarni",
        request="Berobat",
        received_by=operator,
    )
    url = reverse("referrals:referral_create", args=[household_in_margahayu.pk])
    response = client.post(
        f"{url}?complaint={complaint.pk}",
        {"category": health.pk, "description": "Berobat", "priority": "urgent"},
    )
    assert response.url == reverse("referrals:complaint_detail", args=[complaint.pk])
    assert Referral.objects.get().complaint == complaint
    page = client.get(response.url).content.decode()
    assert _detail(Referral.objects.get()) in page


def test_settled_at_the_desk_needs_a_note(client, operator, margahayu):
    client.force_login(operator)
    response = client.post(
        reverse("referrals:complaint_create"),
        {
            "complainant_name": "Pak Ujang",
            "kelurahan": margahayu.pk,
            "request": "Tanya jadwal BPNT",
            "resolved_at_desk": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Complaint.objects.exists()


def test_a_family_outside_the_desks_kelurahan_cannot_be_chosen(
    client, operator, household_in_bintara, margahayu
):
    client.force_login(operator)
    response = client.post(
        reverse("referrals:complaint_create"),
        {
            "complainant_name": "X",
            "kelurahan": margahayu.pk,
            "household": household_in_bintara.pk,
            "request": "Y",
        },
    )
    assert response.status_code == 200
    assert "household" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_registering_a_family_on_the_spot_comes_back_to_the_complaint(client, operator, margahayu):
    client.force_login(operator)
    url = reverse("households:household_create")
    back = reverse("referrals:complaint_create")
    assert f'value="{back}"' in client.get(url, {"next": back}).content.decode()
    data = form_data(margahayu, [{"nik": "3275011708850001"}], next=back)
    response = client.post(url, data)
    household = Household.objects.get()
    assert response.url == f"{back}?household={household.pk}"
    chosen = client.get(response.url).context["chosen"]
    assert chosen == household


def test_a_foreign_return_address_is_ignored(client, operator, margahayu):
    client.force_login(operator)
    url = reverse("households:household_create")
    page = client.get(url, {"next": "https://evil.example/"}).content.decode()
    assert 'value="https://evil.example/"' not in page
    data = form_data(margahayu, [{"nik": "3275011708850001"}], next="https://evil.example/")
    assert client.post(url, data).url == Household.objects.get().get_absolute_url()


def test_complaints_of_another_kelurahan_are_404(client, operator, operator_bintara, margahayu):
    complaint = Complaint.objects.create(
        kelurahan=margahayu, complainant_name="A", request="B", received_by=operator
    )
    client.force_login(operator_bintara)
    url = reverse("referrals:complaint_detail", args=[complaint.pk])
    assert client.get(url).status_code == 404
    assert complaint not in client.get(reverse("referrals:complaint_list")).context["page"]


@pytest.mark.parametrize("persona", ["pendamping", "petugas_dinkes", "perencana"])
def test_only_the_desk_records_complaints(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("referrals:complaint_create")).status_code == 403


# --- documents ---------------------------------------------------------------------------


def _upload(client, referral, name, content, content_type="application/pdf"):
    url = reverse("referrals:attachment_upload", args=[referral.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type)})


def test_a_pdf_is_attached_and_downloaded_in_scope(
    client, referral, operator, petugas_dinkes, petugas_disdik, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(operator)
    _upload(client, referral, "surat.pdf", PDF)
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(PDF))
    url = reverse("referrals:attachment_download", args=[referral.pk, attachment.pk])
    client.force_login(petugas_dinkes)
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF
    client.force_login(petugas_disdik)
    assert client.get(url).status_code == 404


def test_a_file_over_the_limit_is_refused_with_a_message(
    client, referral, operator, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    settings.REFERRAL_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(operator)
    response = _upload(client, referral, "besar.pdf", PDF + b"0" * 2048)
    assert not Attachment.objects.exists()
    assert any("MB" in message for message in _messages(response))


@pytest.mark.parametrize(
    ("name", "content"),
    [("virus.pdf", b"MZ\x90\x00 not a pdf"), ("data.xlsx", b"PK\x03\x04"), ("kosong.pdf", b"")],
)
def test_a_refused_type_or_empty_file_is_refused_with_a_message(
    client, referral, operator, tmp_path, settings, name, content
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(operator)
    response = _upload(client, referral, name, content)
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert _messages(response)


# --- the registry through a referral -------------------------------------------------------


def test_agency_staff_see_only_referred_households_and_each_read_is_logged(
    client, referral, petugas_dinkes, household_in_bintara
):
    client.force_login(petugas_dinkes)
    assert client.get(referral.household.get_absolute_url()).status_code == 200
    assert client.get(household_in_bintara.get_absolute_url()).status_code == 404
    assert AccessRecord.objects.filter(
        user=petugas_dinkes, household=referral.household, via="household"
    ).exists()


def test_a_draft_does_not_open_the_household_to_the_agency(
    client, household_in_margahayu, health, operator, petugas_dinkes
):
    raise_referral(
        household=household_in_margahayu,
        category=health,
        description="draft",
        by=operator,
        submit=False,
    )
    client.force_login(petugas_dinkes)
    assert client.get(household_in_margahayu.get_absolute_url()).status_code == 404


def test_the_back_office_shows_referrals_with_their_events_read_only(client, admin_user, referral):
    client.force_login(admin_user)
    url = reverse("admin:referrals_referral_change", args=[referral.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Kartu JKN nenek" in page.content.decode()
    assert client.post(url, {"status": "closed"}).status_code == 403
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


def test_the_queue_shows_the_agencys_deadline_performance_per_need(
    client, referral, petugas_dinkes
):
    client.force_login(petugas_dinkes)
    assert reverse("referrals:metrics") in client.get(reverse("referrals:queue")).content.decode()
    rows = client.get(reverse("referrals:metrics")).context["metrics"]
    assert [(row.category, row.open) for row in rows] == [("Kesehatan / JKN", 1)]


def test_the_origin_sees_deadline_performance_per_agency(client, referral, operator):
    client.force_login(operator)
    rows = client.get(reverse("referrals:metrics")).context["metrics"]
    assert [(row.agency, row.open) for row in rows] == [("Dinas Kesehatan", 1)]


def test_a_returned_referral_goes_back_with_the_information_asked_for(
    client, referral, petugas_dinkes, operator
):
    transition_referral(
        referral=referral, action="return", by=petugas_dinkes, note="Nomor BPJS lama?"
    )
    client.force_login(operator)
    page = client.get(_detail(referral))
    resend = next(a for a in page.context["actions"] if a.action == "resubmit")
    assert (resend.asks_note, resend.needs_note) == (True, False)
    _act(client, referral, "resubmit", note="BPJS lama: 0001234567890")
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert referral.events.last().note == "BPJS lama: 0001234567890"


def test_an_accepted_referral_sent_again_is_back_with_its_officer_not_new(
    client, referral, petugas_dinkes, operator
):
    transition_referral(referral=referral, action="accept", by=petugas_dinkes)
    transition_referral(
        referral=referral, action="return", by=petugas_dinkes, note="Nomor BPJS lama?"
    )
    client.force_login(operator)
    _act(client, referral, "resubmit", note="BPJS lama: 0001234567890")
    referral.refresh_from_db()
    assert (referral.status, referral.assignee) == (Status.ACCEPTED, petugas_dinkes)
    client.force_login(petugas_dinkes)
    queue = client.get(reverse("referrals:queue"))
    assert queue.context["queue_counts"].new == 0
    assert queue.context["queue_counts"].in_hand == 1


def test_the_agencys_question_is_a_callout_on_top_and_quoted_in_the_resend_form(
    client, referral, petugas_dinkes, operator
):
    transition_referral(
        referral=referral, action="return", by=petugas_dinkes, note="Nomor BPJS lama berapa?"
    )
    client.force_login(operator)
    response = client.get(_detail(referral))
    html = response.content.decode()
    assert response.context["open_question"].note == "Nomor BPJS lama berapa?"
    callout = html.index('id="open-question"')
    assert callout < html.index('class="card"')  # above the referral's facts
    assert "Nomor BPJS lama berapa?" in html[callout : html.index("</section>", callout)]
    form = html[
        html.index('value="resubmit"') : html.index("</form>", html.index('value="resubmit"'))
    ]
    assert 'class="quoted"' in form
    assert "Nomor BPJS lama berapa?" in form
    assert "Dinas Kesehatan meminta informasi tambahan" in html


def test_the_callout_is_gone_once_the_referral_is_sent_again(
    client, referral, petugas_dinkes, operator
):
    transition_referral(referral=referral, action="return", by=petugas_dinkes, note="Foto KTP?")
    transition_referral(referral=referral, action="resubmit", by=operator, note="Terlampir")
    client.force_login(petugas_dinkes)
    response = client.get(_detail(referral))
    assert response.context["open_question"] is None
    assert 'id="open-question"' not in response.content.decode()


def test_opening_a_referral_marks_its_notifications_for_that_user_read(
    client, referral, petugas_dinkes, operator, household_in_margahayu, health
):
    other = raise_referral(
        household=household_in_margahayu, category=health, description="Obat", by=operator
    )
    transition_referral(referral=referral, action="return", by=petugas_dinkes, note="Foto KTP?")
    transition_referral(referral=other, action="return", by=petugas_dinkes, note="Alamat?")
    colleague_notice = Notification.objects.create(
        recipient=petugas_dinkes, referral=referral, kind="overdue", key="x", message="m"
    )
    client.force_login(operator)
    client.get(_detail(referral))
    mine = Notification.objects.filter(recipient=operator)
    assert mine.get(referral=referral).read_at is not None
    assert mine.get(referral=other).read_at is None  # another referral: still unread
    colleague_notice.refresh_from_db()
    assert colleague_notice.read_at is None  # someone else's notice: untouched


def test_deadline_performance_is_numbers_for_referral_roles_only(client, referral, perencana):
    client.force_login(perencana)
    assert client.get(reverse("referrals:metrics")).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"kelurahan": "bogus"},
        {"status": "exploded"},
        {"overdue": "maybe"},
        {"page": "9999"},
        {"category": "<script>"},
    ],
)
def test_bad_filters_on_the_queue_are_not_a_500(client, referral, petugas_dinkes, query):
    client.force_login(petugas_dinkes)
    assert client.get(reverse("referrals:queue"), query).status_code == 200


def test_a_bad_complaint_number_when_raising_is_404_not_500(client, operator, referral):
    client.force_login(operator)
    url = reverse("referrals:referral_create", args=[referral.household.pk])
    assert client.get(url, {"complaint": "abc"}).status_code == 404
    assert client.get(url, {"complaint": "999999"}).status_code == 404


def test_a_transfer_to_an_unknown_agency_is_a_message(client, referral, petugas_dinkes):
    client.force_login(petugas_dinkes)
    response = _act(client, referral, "transfer", to_agency="99999", note="x")
    assert response.status_code == 302
    assert _messages(response)
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


def test_the_folded_filters_open_when_one_is_used(client, referral, petugas_dinkes, health):
    client.force_login(petugas_dinkes)
    folded = client.get(reverse("referrals:queue")).content.decode()
    assert '<details class="more-filters">' in folded
    assert 'id="id_category"' in folded
    used = client.get(reverse("referrals:queue"), {"category": health.code}).content.decode()
    assert '<details class="more-filters" open>' in used
