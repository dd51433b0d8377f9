"""Documents of a referral (issue 18, point 9): typed, in the referral's history, removable by
their uploader while the referral is open; every write checks the actor's scope."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from referrals.models import Attachment, Record, Referral, Status
from referrals.services import attach_file, raise_referral, remove_attachment
from tests.households.factories import persona

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def referral(household_in_margahayu, health, operator):
    return raise_referral(
        household=household_in_margahayu, category=health, description="JKN", by=operator
    )


@pytest.fixture
def operator_bintara(bintara):
    return persona("operator_puskesos", kelurahan=[bintara], username="yanti")


def _pdf(name="ktp.pdf"):
    return SimpleUploadedFile(name, PDF, "application/pdf")


def test_a_document_has_a_type_and_its_adding_is_in_the_history(referral, operator):
    attachment = attach_file(referral=referral, upload=_pdf(), kind="ktp", by=operator)
    assert attachment.kind == Attachment.Kind.KTP
    event = referral.events.get(action=Record.ATTACH)
    assert (event.actor, event.note) == (operator, "ktp.pdf")
    assert event.from_status == event.to_status == Status.SUBMITTED


def test_an_unknown_document_type_is_refused(referral, operator):
    with pytest.raises(ValidationError) as refused:
        attach_file(referral=referral, upload=_pdf(), kind="passport", by=operator)
    assert refused.value.code == "attachment_kind"
    assert not Attachment.objects.exists()


def test_attaching_to_a_referral_outside_scope_is_not_found(referral, operator_bintara):
    with pytest.raises(Http404):
        attach_file(referral=referral, upload=_pdf(), by=operator_bintara)
    assert not Attachment.objects.exists()


def test_the_uploader_removes_a_document_and_the_history_says_so(
    referral, operator, django_capture_on_commit_callbacks
):
    attachment = attach_file(referral=referral, upload=_pdf(), by=operator)
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(attachment=attachment, by=operator)
    assert not Attachment.objects.exists()
    assert not storage.exists(name)
    event = referral.events.get(action=Record.DETACH)
    assert (event.actor, event.note) == (operator, "ktp.pdf")


def test_only_the_uploader_removes_a_document(referral, operator, petugas_dinkes, margahayu):
    attachment = attach_file(referral=referral, upload=_pdf(), by=operator)
    colleague = persona("operator_puskesos", kelurahan=[margahayu], username="ani")
    for other in (petugas_dinkes, colleague):
        with pytest.raises(ValidationError) as refused:
            remove_attachment(attachment=attachment, by=other)
        assert refused.value.code == "not_uploader"
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_document_of_a_referral_outside_scope_is_not_found(referral, operator, operator_bintara):
    attachment = attach_file(referral=referral, upload=_pdf(), by=operator)
    attachment.uploaded_by = operator_bintara  # even were it theirs
    with pytest.raises(Http404):
        remove_attachment(attachment=attachment, by=operator_bintara)
    assert Attachment.objects.filter(pk=attachment.pk).exists()


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.REJECTED, Status.CLOSED])
def test_documents_of_a_finished_referral_stay(referral, operator, status):
    attachment = attach_file(referral=referral, upload=_pdf(), by=operator)
    Referral.objects.filter(pk=referral.pk).update(status=status)
    with pytest.raises(ValidationError) as refused:
        remove_attachment(attachment=attachment, by=operator)
    assert refused.value.code == "referral_not_open"
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# --- pages ---------------------------------------------------------------------------------


def _detail(referral):
    return reverse("referrals:referral_detail", args=[referral.pk])


def test_the_page_uploads_a_typed_document_and_shows_it_in_the_history(client, referral, operator):
    client.force_login(operator)
    url = reverse("referrals:attachment_upload", args=[referral.pk])
    client.post(url, {"kind": "sktm", "file": _pdf("sktm.pdf")})
    attachment = Attachment.objects.get()
    assert attachment.kind == "sktm"
    html = client.get(_detail(referral)).content.decode()
    assert "SKTM" in html
    history = html[html.index('id="history"') :]
    assert "Dokumen ditambahkan" in history
    assert "sktm.pdf" in history


def test_the_uploader_sees_a_remove_button_and_removes_from_the_page(
    client, referral, operator, petugas_dinkes
):
    attachment = attach_file(referral=referral, upload=_pdf(), by=operator)
    remove = reverse("referrals:attachment_remove", args=[referral.pk, attachment.pk])
    client.force_login(petugas_dinkes)
    assert remove not in client.get(_detail(referral)).content.decode()
    assert client.post(remove).status_code == 302
    assert Attachment.objects.exists()  # refused with a message: not theirs
    client.force_login(operator)
    assert remove in client.get(_detail(referral)).content.decode()
    assert client.post(remove).url == _detail(referral)
    assert not Attachment.objects.exists()
    history = client.get(_detail(referral)).content.decode()
    assert "Dokumen dihapus" in history[history.index('id="history"') :]


def test_removing_a_document_outside_scope_is_404(client, referral, operator, operator_bintara):
    attachment = attach_file(referral=referral, upload=_pdf(), by=operator)
    client.force_login(operator_bintara)
    url = reverse("referrals:attachment_remove", args=[referral.pk, attachment.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    assert Attachment.objects.exists()
