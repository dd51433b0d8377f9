"""slrt.messages: a text that keeps its msgid and parameters, stored and shown again in the
reader's language (issue 18, point 14). Pure: no database."""

import pickle
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy

from slrt.messages import (
    FormattedDate,
    Message,
    as_message,
    first_message,
    message_json,
    render_json,
    translatable,
    translatable_plural,
)

TRUNCATED = (  # households.imports.checks, in the catalogue
    "%(label)s ends in 000, which often means Excel rounded it. Compare it with the card; "
    "if it differs, format the column as Text and type it again."
)


def made_in_indonesian():
    with translation.override("id"):
        label = translatable("KK number")
        return translatable(TRUNCATED) % {"label": label}


def test_a_message_is_text_in_the_language_it_was_made_in():
    message = made_in_indonesian()
    assert isinstance(message, str)
    assert message.startswith("Nomor KK berakhiran 000")


def test_a_stored_message_is_shown_in_the_readers_language():
    stored = message_json(made_in_indonesian())
    with translation.override("en"):
        shown = render_json(stored, "fallback")
    assert shown.startswith("Family card number ends in 000, which often means Excel rounded")
    with translation.override("id"):
        assert render_json(stored).startswith("Nomor KK berakhiran 000")


def test_joined_text_keeps_each_part():
    with translation.override("id"):
        joined = "Baris 3: " + translatable("Yes")
    assert joined == "Baris 3: Ya"
    with translation.override("en"):
        assert render_json(message_json(joined)) == "Baris 3: Yes"


def test_a_message_pickles_as_its_msgid():
    message = made_in_indonesian()
    with translation.override("en"):
        again = pickle.loads(pickle.dumps(message))
    assert again.msgid == message.msgid
    assert again.startswith("Family card number ends in 000")


def test_a_lazy_validation_error_becomes_a_message():
    error = ValidationError(
        gettext_lazy("%(label)s may contain digits only."),
        code="not_digits",
        params={"label": gettext_lazy("KK number")},
    )
    with translation.override("id"):
        message = first_message(error)
    assert message == "Nomor KK hanya boleh berisi angka."
    with translation.override("en"):
        assert render_json(message_json(message)) == "Family card number may contain digits only."


def test_plain_text_is_stored_as_it_is():
    assert message_json(as_message("rendered before")) is None
    assert render_json(None, "rendered before") == "rendered before"


def test_a_stored_message_that_no_longer_fits_its_catalogue_falls_back():
    broken = Message("%(name)s is empty.", {"name": "x"}).to_json()
    broken["params"] = {"file": "x"}  # the placeholder was renamed since
    assert render_json(broken, "as stored") == "as stored"


def test_a_plural_message_keeps_its_number():
    with translation.override("id"):
        message = translatable_plural("%(n)s new member", "%(n)s new members", 3) % {"n": 3}
    assert message == "3 anggota baru"
    with translation.override("en"):
        assert render_json(message_json(message)) == "3 new members"


def test_a_date_in_a_message_is_written_in_the_readers_language():
    with translation.override("id"):
        message = translatable("Start") + " " + FormattedDate(date(2026, 12, 20), "j F Y")
    assert message == "Tanggal mulai 20 Desember 2026"
    with translation.override("en"):
        assert render_json(message_json(message)) == "Start 20 December 2026"


def test_parameters_filled_in_later_keep_the_language_it_was_made_in():
    # A ValidationError fills its params when its messages are read, maybe after the
    # request's language was switched back: as with gettext, the text stays as made.
    with translation.override("id"):
        error = ValidationError(
            translatable("%(label)s may contain digits only."), params={"label": "NIK"}
        )
    with translation.override("en"):
        assert error.messages == ["NIK hanya boleh berisi angka."]
