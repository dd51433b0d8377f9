"""What the referral page shows: the actions this user may take now, with their words."""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from households.identifiers import mask_identifier
from referrals.models import NEEDS_NOTE, Action, Outcome, Referral, ReferralEvent, Status
from referrals.selectors import QueueCounts
from referrals.services import may_take
from slrt.reversing import reverse_pk

# The words on the buttons (JOURNEYS.md): Terima, Tolak, Kembalikan, Alihkan, Selesai, ...
BUTTONS = {
    Action.SUBMIT: pgettext_lazy("referral button", "Send"),
    Action.RESUBMIT: pgettext_lazy("referral button", "Send again"),
    Action.ACCEPT: pgettext_lazy("referral button", "Accept"),
    Action.START: pgettext_lazy("referral button", "Start work"),
    Action.RESOLVE: pgettext_lazy("referral button", "Resolved"),
    Action.RETURN: pgettext_lazy("referral button", "Return"),
    Action.TRANSFER: pgettext_lazy("referral button", "Transfer"),
    Action.REJECT: pgettext_lazy("referral button", "Reject"),
    Action.CLOSE: pgettext_lazy("referral button", "Close"),
}


# The label of the note field, where it is not a reason.
NOTE_LABELS = {
    Action.RESOLVE: pgettext_lazy("referral note", "What was done"),
    Action.RESUBMIT: pgettext_lazy("referral note", "The information asked for"),
    Action.CLOSE: pgettext_lazy("referral note", "How it ended for the family"),
}
REASON = pgettext_lazy("referral note", "Reason")


@dataclass(frozen=True)
class AvailableAction:
    action: str
    label: str
    needs_note: bool
    asks_note: bool  # a form with a note field (required when needs_note)
    needs_outcome: bool
    needs_agency: bool
    primary: bool
    note_label: str = ""


def available_actions(referral: Referral, user: User) -> list[AvailableAction]:
    actions = []
    for action, label in BUTTONS.items():
        if not may_take(referral, action, user):
            continue
        resend = action == Action.RESUBMIT
        actions.append(
            AvailableAction(
                action=action,
                label=str(label),
                needs_note=action in NEEDS_NOTE,
                # Sent back for information: the answer goes with it (or as a document).
                asks_note=action in NEEDS_NOTE or resend,
                needs_outcome=action == Action.RESOLVE,
                needs_agency=action == Action.TRANSFER,
                note_label=str(NOTE_LABELS.get(action, REASON)),
                primary=action
                in (Action.ACCEPT, Action.RESOLVE, Action.SUBMIT, Action.RESUBMIT, Action.CLOSE),
            )
        )
    return actions


def open_question(referral: Referral) -> ReferralEvent | None:
    """What the agency asked when it returned the referral (its last return), while the
    referral waits for the answer; from the prefetched events of access_referral."""
    if referral.status != Status.RETURNED:
        return None
    returns = [event for event in referral.events.all() if event.action == Action.RETURN]
    return returns[-1] if returns else None


# The queue's count cards, each a filter of the queue: (QueueCounts field, label, its filter).
QUEUE_TILES = (
    ("new", _("New, waiting to be taken"), {"status": [Status.SUBMITTED]}),
    ("in_hand", _("Being handled"), {"status": [Status.ACCEPTED, Status.IN_PROGRESS]}),
    ("overdue", _("Overdue"), {"overdue": ["true"]}),
    ("returned", _("Returned, waiting for the sender"), {"status": [Status.RETURNED]}),
)
TILE_PARAMS = ("status", "overdue", "page")


@dataclass(frozen=True)
class QueueTile:
    key: str
    label: str
    count: int
    href: str  # the queue with this card's filter, the other filters kept
    active: bool  # the queue shows this card's filter now (its link then clears it)


def queue_tiles(query: QueryDict, counts: QueueCounts) -> list[QueueTile]:
    kept = [(k, v) for k, values in query.lists() if k not in TILE_PARAMS for v in values]
    current = {name: sorted(query.getlist(name)) for name in ("status", "overdue")}
    tiles = []
    for key, label, params in QUEUE_TILES:
        mine = {name: sorted(params.get(name, [])) for name in ("status", "overdue")}
        active = current == mine
        extra = [] if active else [(k, v) for k, values in params.items() for v in values]
        tiles.append(
            QueueTile(
                key=key,
                label=str(label),
                count=getattr(counts, key),
                href="?" + urlencode(kept + extra),
                active=active,
            )
        )
    return tiles


def referral_cards(referrals: Iterable[Referral], *, show_agency: bool = False) -> list[SafeString]:
    """Each referral's card, the HTML of referrals/_referral_card.html character for character
    (tests/referrals/test_cards.py renders both, in Indonesian and English), built here in one
    pass instead of 25 includes of ~20 template nodes each: the triage queue's rows, as
    households.presenters.list_rows did for the household list (issue 17). The status and
    outcome labels are looked up once a page, the detail URL from slrt.reversing's copy, and
    today's date once (days_overdue read it on every card)."""
    statuses = {value: str(label) for value, label in Status.choices}
    outcomes = {value: str(label) for value, label in Outcome.choices}
    urgent = escape(gettext("urgent"))
    deadline = escape(gettext("Deadline"))
    outcome_word = escape(gettext("Outcome"))
    today = timezone.localdate()
    return [
        _card(referral, statuses, outcomes, urgent, deadline, outcome_word, today, show_agency)
        for referral in referrals
    ]


def _card(referral, statuses, outcomes, urgent, deadline, outcome_word, today, show_agency):
    household = referral.household
    kelurahan = household.kelurahan
    late = referral.days_overdue(today)
    assignee = referral.assignee
    lines = [
        f'<a href="{escape(reverse_pk("referrals:referral_detail", referral.pk))}">',
        f"  <strong>{escape(referral.category.name)}</strong>",
        f'  <span class="badge late">{urgent}</span>' if referral.priority == "urgent" else "  ",
        f'  <span class="kk">{escape(household.head_name or "–")} · '
        f"KK {escape(mask_identifier(household.kk_number))}</span>",
        f'  <span class="addr">{escape(kelurahan.name)}, {escape(kelurahan.parent.name)}</span>',
        '  <span class="meta">',
        f'    <span class="status status-{escape(referral.status)}">'
        f"{escape(statuses.get(referral.status, referral.status))}</span>",
        f"    · {escape(referral.agency.short_name)}" if show_agency else "    ",
        f"    · {deadline} {escape(date_format(referral.due_date, 'j M Y'))}"
        if referral.due_date
        else "    ",
        # As blocktranslate: the number escaped, the translation as written.
        '    <span class="badge late">'
        + ngettext("%(days)s day overdue", "%(days)s days overdue", late)
        % {"days": escape(localize(late))}
        + "</span>"
        if late
        else "    ",
        f"    · {escape(assignee.get_full_name() or assignee.username)}" if assignee else "    ",
        f"    · {outcome_word}: {escape(outcomes.get(referral.outcome, referral.outcome))}"
        if referral.outcome
        else "    ",
        "  </span>",
        "</a>",
        "",
    ]
    return mark_safe("\n" + "\n".join(lines))  # noqa: S308 (every value escaped above)
