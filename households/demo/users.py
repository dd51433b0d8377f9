"""One demo account per role, with its group, agency and kelurahan."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, User

from households.models import Agency, Region, UserProfile
from households.roles import Role

MARGAHAYU = "32.75.01.1002"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    first_name: str
    last_name: str
    agency: str | None = None
    kelurahan: tuple[str, ...] = ()
    superuser: bool = False
    head: bool = False  # head of the agency: overdue referrals escalate to them


DEMO_USERS = (
    DemoUser("demo-pendamping", Role.PENDAMPING, "Rina", "Marlina", kelurahan=(MARGAHAYU,)),
    DemoUser("demo-puskesos", Role.OPERATOR_PUSKESOS, "Dedi", "Kurniawan", kelurahan=(MARGAHAYU,)),
    DemoUser("demo-dinkes", Role.PETUGAS_OPD, "Ratna", "Sari", agency="dinkes"),
    DemoUser("demo-kadinkes", Role.PETUGAS_OPD, "Bambang", "Susilo", agency="dinkes", head=True),
    DemoUser("demo-verifikator", Role.VERIFIKATOR, "Agus", "Setiawan", agency="dinsos"),
    DemoUser("demo-diskominfo", Role.DATA_STEWARD, "Fajar", "Nugroho", agency="diskominfostandi"),
    DemoUser("demo-bapelitbangda", Role.PERENCANA, "Maya", "Anggraini", agency="bapelitbangda"),
    DemoUser("demo-pimpinan", Role.PIMPINAN, "Hendra", "Wijaya"),
    DemoUser("demo-admin", Role.ADMIN, "Yusuf", "Hidayat", superuser=True),
)


def ensure_demo_users() -> int:
    """Create or reset the demo accounts: role group, agency, kelurahan, DEMO_PASSWORD."""
    for spec in DEMO_USERS:
        user, _created = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "is_active": True,
                "is_staff": spec.superuser,
                "is_superuser": spec.superuser,
            },
        )
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=spec.role)])
        agency = Agency.objects.get(code=spec.agency) if spec.agency else None
        profile, _created = UserProfile.objects.update_or_create(
            user=user, defaults={"agency": agency}
        )
        profile.kelurahan.set(Region.objects.filter(code__in=spec.kelurahan))
        if spec.head:
            Agency.objects.filter(pk=agency.pk).update(head=user)
    return len(DEMO_USERS)
