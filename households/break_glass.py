"""Emergency (break-glass) access to a household outside one's scope (issue 7, item 5).

Granted at once, reviewed afterwards. An agency officer or a facilitator who must act for a
family outside their scope (a referral not yet sent, a family that moved kelurahan, an
emergency at night) cannot wait for an approval; as in health-record systems, the access
opens immediately for BREAK_GLASS_HOURS, every read during it is logged with its grant, and
the Verifikator reviews each grant afterwards (justified / not justified). Deterrence comes
from the written reason, the daily cap, the read log and the review, not from a queue.

Finding the household: the requester types the full KK number (exact match only, no search,
no partial numbers), so this is not a way to browse the registry. Existence: a request for a
number no household has is recorded and counted against the cap like any other, and appears
in the review list; the answer then says that nothing could be opened. That does tell the
requester the number is not registered, a deliberate and bounded leak: each probe costs a
written, reviewed request and the cap allows a handful a day, so the registry cannot be
enumerated through this form.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from households import nik
from households.models import BreakGlassGrant, Household
from households.scope import forget_scope
from households.selectors import visible_households


@transaction.atomic
def request_break_glass(*, kk_number: str, reason: str, by: User) -> BreakGlassGrant:
    """Record an emergency access request and, when a household has the KK number, open it
    to `by` until the grant expires. The caller holds households.request_breakglassgrant.
    Refuses a short reason, a malformed number, a household already in scope and more than
    BREAK_GLASS_MAX_PER_DAY requests in 24 hours."""
    kk_number, reason = kk_number.strip(), reason.strip()
    minimum = settings.BREAK_GLASS_REASON_MIN_LENGTH
    if len(reason) < minimum:
        raise ValidationError(
            ngettext(
                "Write the reason in at least %(min)d character.",
                "Write the reason in at least %(min)d characters.",
                minimum,
            ),
            code="reason_too_short",
            params={"min": minimum},
        )
    nik.validate_kk(kk_number)
    # One user's requests one at a time, so two at once cannot both pass the cap.
    User.objects.select_for_update().filter(pk=by.pk).first()
    now = timezone.now()
    cap = settings.BREAK_GLASS_MAX_PER_DAY
    recent = BreakGlassGrant.objects.filter(user=by, created_at__gt=now - timedelta(days=1))
    if recent.count() >= cap:
        raise ValidationError(
            ngettext(
                "You have made %(cap)d emergency access request in the last 24 hours, the "
                "most allowed. Ask the Verifikator at Dinas Sosial.",
                "You have made %(cap)d emergency access requests in the last 24 hours, the "
                "most allowed. Ask the Verifikator at Dinas Sosial.",
                cap,
            ),
            code="too_many",
            params={"cap": cap},
        )
    household = Household.objects.filter(kk_number=kk_number).first()
    if household is not None and visible_households(by).filter(pk=household.pk).exists():
        raise ValidationError(
            _("You can already open this household; find it in the household list."),
            code="already_visible",
        )
    hours = settings.BREAK_GLASS_HOURS
    grant = BreakGlassGrant.objects.create(
        user=by,
        kk_number=kk_number,
        household=household,
        reason=reason,
        created_at=now,
        expires_at=now + timedelta(hours=hours) if household else now,
    )
    forget_scope(by)
    return grant


@transaction.atomic
def review_break_glass(
    *, grant: BreakGlassGrant, decision: str, note: str, by: User
) -> BreakGlassGrant:
    """The Verifikator's review of one grant (households.review_breakglassgrant). A grant
    found not justified needs a note, is flagged in the review list and the back office, and
    closes at once if it was still open. A grant is reviewed once."""
    note = note.strip()
    if decision not in BreakGlassGrant.Decision.values:
        raise ValidationError(_("Choose justified or not justified."), code="invalid_decision")
    not_justified = decision == BreakGlassGrant.Decision.NOT_JUSTIFIED
    if not_justified and not note:
        raise ValidationError(
            _("Write a note saying why the access was not justified."), code="note_required"
        )
    if grant.user_id == by.pk:
        raise ValidationError(_("You cannot review your own emergency access."), code="own_grant")
    now = timezone.now()
    changes = {"decision": decision, "review_note": note, "reviewed_by": by, "reviewed_at": now}
    if not_justified and grant.expires_at > now:
        changes["expires_at"] = now
    guarded = BreakGlassGrant.objects.filter(pk=grant.pk, reviewed_at__isnull=True)
    if not guarded.update(**changes):
        raise ValidationError(
            _("This emergency access has already been reviewed."), code="already_reviewed"
        )
    grant.refresh_from_db()
    return grant
