"""What the referral page shows: the actions this user may take now, with their words."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils.translation import pgettext_lazy

from referrals.models import NEEDS_NOTE, Action, Referral, ReferralEvent, Status
from referrals.services import may_take

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
