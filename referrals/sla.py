"""Deadline arithmetic for referrals. Pure: no ORM, no settings.

A referral's deadline counts calendar days from the day it reaches an agency: submitted, or
transferred (a transfer restarts the clock at the new agency, DESIGN.md). While a referral waits
at its origin (returned for information) the clock stands still."""

from datetime import date, timedelta


def due_date(*, received: date, days: int) -> date:
    """The last day on which the agency is on time: `days` after the day it received it."""
    if days < 1:
        raise ValueError("a deadline is at least one day")
    return received + timedelta(days=days)


def days_overdue(*, due: date | None, today: date) -> int:
    """Days past the deadline (0 when on time or without a deadline)."""
    if due is None or today <= due:
        return 0
    return (today - due).days


def resumed_due_date(*, due: date, paused_on: date, today: date) -> date:
    """The deadline of a returned referral sent again: the agency's clock stood still while
    the referral waited at its origin, from `paused_on` (the return) to `today`."""
    return due + timedelta(days=max((today - paused_on).days, 0))
