"""NIK and KK in templates, through households.identifiers only.

Lists:                 {{ member.nik|masked }}               3275********0001 for everyone
A household's page:    {{ member.nik|identifier:user }}      whole for the roles that need it
A work list:           {{ household.kk_number|kk_tail }}     …04210001 (a KK only)
"""

from django import template
from django.contrib.auth.models import AnonymousUser, User

from households.identifiers import kk_tail as tail_of_kk
from households.identifiers import shown_identifier

register = template.Library()


@register.filter
def masked(value: str | None) -> str:
    return shown_identifier(value, AnonymousUser(), whole=False)


@register.filter
def identifier(value: str | None, user: User | AnonymousUser) -> str:
    return shown_identifier(value, user, whole=True)


@register.filter
def kk_tail(value: str | None) -> str:
    """…04210001: the digits that tell families apart in a work list (issue 20)."""
    return tail_of_kk(value)
