"""Messages that keep their English source text and parameters, to be shown later in the
reader's language.

A text written to the database in one language stays in it: an import issue or a notification
stored as "NIK harus 16 digit" reads Indonesian to a user who switched to English (issue 18).
So such texts are built as a `Message`: a str (the text in the language active when it was
made, so it goes wherever text went before) that also keeps its msgid and parameters. It is
stored with `to_json()` beside that text, and `render_json()` shows it in the language of
whoever reads it.

A module whose messages are stored imports `translatable as _`: `_("... %(x)s ...") % {...}`
is written as with gettext, and makemessages extracts it as usual. A parameter may itself be
a Message (a translated column name); `text + " " + message` keeps both.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, ngettext, override


class Message(str):
    """A translated text that remembers its msgid and parameters."""

    msgid: str
    params: dict[str, Any] | None
    plural: str | None  # ngettext's plural msgid, chosen by `number`
    number: int
    language: str | None  # active when it was made

    def __new__(
        cls,
        msgid: str,
        params: Mapping[str, Any] | None = None,
        plural: str | None = None,
        number: int = 1,
    ) -> "Message":
        params = dict(params) if params else None
        text = ngettext(msgid, plural, number) if plural is not None else gettext(msgid)
        if params is not None:
            text = text % params
        made = super().__new__(cls, text)
        made.msgid, made.params, made.plural, made.number = msgid, params, plural, number
        made.language = get_language()
        return made

    def __mod__(self, params: Any) -> "Message":  # type: ignore[override]
        if self.language == get_language():
            return Message(self.msgid, params, self.plural, self.number)
        # Filled in later (a ValidationError's params): in the language it was made in, as
        # gettext's text would be.
        with override(self.language):
            return Message(self.msgid, params, self.plural, self.number)

    def __add__(self, other: str) -> "Joined":  # type: ignore[override]
        return Joined([self, other])

    def __radd__(self, other: str) -> "Joined":
        return Joined([other, self])

    def __reduce__(self):  # pickled into the stored check (households.imports.checked)
        return (Message, (self.msgid, self.params, self.plural, self.number))

    def render(self) -> str:
        """The text in the active language."""
        if self.plural is not None:
            text = ngettext(self.msgid, self.plural, self.number)
        else:
            text = gettext(self.msgid)
        if self.params is None:
            return text
        return text % {key: _rendered(value) for key, value in self.params.items()}

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"msgid": self.msgid}
        if self.plural is not None:
            data.update(plural=self.plural, number=self.number)
        if self.params:
            data["params"] = {key: _to_json(value) for key, value in self.params.items()}
        return data


class Joined(Message):
    """Texts and messages shown one after the other."""

    parts: list

    def __new__(cls, parts: list) -> "Joined":  # type: ignore[misc]
        flat = [p for part in parts for p in (part.parts if isinstance(part, Joined) else [part])]
        made = str.__new__(cls, "".join(str(part) for part in flat))
        made.msgid, made.params, made.parts = "", None, flat
        made.plural, made.number, made.language = None, 1, get_language()
        return made

    def __add__(self, other: str) -> "Joined":  # type: ignore[override]
        return Joined([*self.parts, other])

    def __radd__(self, other: str) -> "Joined":
        return Joined([other, *self.parts])

    def __reduce__(self):
        return (Joined, (self.parts,))

    def render(self) -> str:
        return "".join(_rendered(part) for part in self.parts)

    def to_json(self) -> dict[str, Any]:
        return {"join": [_to_json(part) for part in self.parts]}


def translatable(msgid: str) -> Message:
    """gettext that keeps the msgid, so the text can be shown again in another language."""
    return Message(msgid)


def translatable_plural(singular: str, plural: str, number: int) -> Message:
    """ngettext that keeps its msgids and number (import it as ngettext, for makemessages)."""
    return Message(singular, None, plural, number)


class FormattedDate(str):
    """A date in a message, written in the reader's language ("6 December 2026", "6 Desember
    2026") each time the message is shown."""

    value: date
    format: str

    def __new__(cls, value: date, format: str) -> "FormattedDate":
        made = super().__new__(cls, date_format(value, format))
        made.value, made.format = value, format
        return made

    def __reduce__(self):
        return (FormattedDate, (self.value, self.format))

    def render(self) -> str:
        return date_format(self.value, self.format)


def as_message(text: Any, params: Mapping[str, Any] | None = None) -> str:
    """A Message for a gettext_lazy text (with a ValidationError's params, if any); a Message
    as it is; other text as it was rendered."""
    if isinstance(text, Message):
        return text % params if params else text
    if isinstance(text, Promise):
        args = getattr(text, "_args", ())  # gettext_lazy keeps its msgid as its argument
        if len(args) == 1 and isinstance(args[0], str):
            return Message(args[0], params)
    text = str(text)
    return text % params if params else text


def first_message(error: ValidationError) -> str:
    """A service's refusal as a Message, for a row that shows it later."""
    first = error.error_list[0] if hasattr(error, "error_list") else error
    return as_message(first.message, first.params)


def message_json(text: str) -> dict[str, Any] | None:
    """What to store to show `text` again in another language; None for plain text."""
    return text.to_json() if isinstance(text, Message) else None


def render_json(data: Any, fallback: str = "") -> str:
    """A stored message in the active language; `fallback` (the text as it was stored) when
    there is none or it cannot be shown."""
    if not data:
        return fallback
    try:
        return _rendered(_from_json(data))
    except (KeyError, TypeError, ValueError):  # a catalogue whose placeholders changed
        return fallback


def _rendered(value: Any) -> Any:
    if isinstance(value, Message | FormattedDate):
        return value.render()
    if isinstance(value, Promise):
        return str(value)
    return value


def _to_json(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, FormattedDate):
        return {"date": value.value.isoformat(), "format": value.format}
    if isinstance(value, Promise):
        return _to_json(as_message(value))
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)  # dates, decimals: as the message showed them


def _from_json(data: Any) -> Any:
    if isinstance(data, dict):
        if "join" in data:
            return Joined([_from_json(part) for part in data["join"]])
        if "date" in data:
            return FormattedDate(date.fromisoformat(data["date"]), data["format"])
        params = data.get("params")
        if params:
            params = {key: _from_json(value) for key, value in params.items()}
        return Message(data["msgid"], params, data.get("plural"), data.get("number", 1))
    return data
