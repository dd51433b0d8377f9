"""The roles of DESIGN.md as groups. Role values are the group names."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PENDAMPING = "pendamping", _("Facilitator (PKH/PSM/TKSK)")
    OPERATOR_PUSKESOS = "operator_puskesos", _("Puskesos desk operator")
    PETUGAS_OPD = "petugas_opd", _("Agency officer (OPD)")
    VERIFIKATOR = "verifikator", _("Verifier, Dinas Sosial")
    DATA_STEWARD = "data_steward", _("Data steward, Diskominfostandi")
    PERENCANA = "perencana", _("Planner, Bapelitbangda")
    PIMPINAN = "pimpinan", _("Mayor's office")
    ADMIN = "admin", _("Administrator")


# Which role decides the scope when a user holds several: the broadest first.
ROLE_PRECEDENCE = [
    Role.ADMIN,
    Role.VERIFIKATOR,
    Role.DATA_STEWARD,
    Role.PIMPINAN,
    Role.PERENCANA,
    Role.OPERATOR_PUSKESOS,
    Role.PENDAMPING,
    Role.PETUGAS_OPD,
]

_REGISTRY_READ = [
    "households.view_household",
    "households.view_member",
    "households.view_enrolment",
]
_REGISTRY_WRITE = [
    "households.add_household",
    "households.change_household",
    "households.add_member",
    "households.change_member",
    "households.delete_member",
]

_IMPORT = ["households.add_importbatch", "households.view_importbatch"]

# Issue 16: a move across kelurahan is asked for by those who serve the family and decided by
# the Verifikator, who writes in the whole city (households.moves).
_MOVE_REQUEST = ["households.add_moverequest", "households.view_moverequest"]
_MOVE_DECIDE = ["households.decide_moverequest", "households.view_moverequest"]

# Issue 7: emergency (break-glass) access to a household outside one's scope is for the people
# who serve families in the field or at an agency; the Verifikator reviews every one.
_BREAK_GLASS_REQUEST = ["households.request_breakglassgrant"]
_BREAK_GLASS_REVIEW = ["households.review_breakglassgrant", "households.view_breakglassgrant"]

# Issue 7, privacy by default: lists show NIK and KK masked (3275********0001) to everyone;
# nobody needs a whole number to pick a row, and search still takes the full number typed.
# A household's own page (and the API's detail) shows them whole to the roles whose work
# needs the number itself: the facilitator and the desk check it against the family card,
# the agency officer enrols the person (PBI-JK, KIP, Disdukcapil need the NIK), the
# Verifikator and the data steward verify and correct records, the admin runs the system.
# Aggregate-only roles never see a household at all.
FULL_IDENTIFIER_ROLES = frozenset(
    {
        Role.PENDAMPING,
        Role.OPERATOR_PUSKESOS,
        Role.PETUGAS_OPD,
        Role.VERIFIKATOR,
        Role.DATA_STEWARD,
        Role.ADMIN,
    }
)

# Issue 16, write scope: which records a role may create, change or move (its permissions say
# which actions). The Verifikator and the administrator write in the whole city; the facilitator
# and the desk in their own kelurahan only; everyone else writes no registry record: the data
# steward prepares imports, agency staff act on referrals sent to their agency, and an
# emergency (break-glass) grant opens a household to read, never to write.
WRITES_CITY_WIDE = frozenset({Role.ADMIN, Role.VERIFIKATOR})
WRITES_IN_OWN_KELURAHAN = frozenset({Role.PENDAMPING, Role.OPERATOR_PUSKESOS})

# Issue 21: needs assessments and PMKS classifications are recorded by those who serve the
# family (facilitator, desk) and the Verifikator, in their write scope; read with the household
# (agency staff: PMKS of the referred people only, assessments only through an emergency grant).
_NEEDS_READ = [
    "households.view_assessment",
    "households.view_pmksclassification",
    "households.view_pmkscategory",
]
_NEEDS_WRITE = [
    "households.add_assessment",
    "households.add_pmksclassification",
    "households.change_pmksclassification",
]
# Sensitive PMKS categories (HIV, NAPZA, trafficking, violence, tuna susila, children in
# conflict with the law) are seen only by Dinas Sosial: its Verifikator, the administrator, and
# the staff of the agency below; nobody else sees or records them (households.scope).
SEES_SENSITIVE_PMKS = frozenset({Role.VERIFIKATOR, Role.ADMIN})
SOCIAL_AFFAIRS_AGENCY = "dinsos"

# Eligibility (issue 4): anyone who reads a household reads its flags and their receipt;
# only the Verifikator decides flags, edits rules, simulates and activates them.
_FLAGS_READ = [
    "eligibility.view_flag",
    "eligibility.view_rule",
    "eligibility.view_ruleset",
    "eligibility.view_run",
    "eligibility.view_reviewdecision",
]
_ELIGIBILITY_DECIDE = [
    "eligibility.review_flag",
    "eligibility.add_rule",
    "eligibility.change_rule",
    "eligibility.add_ruleset",
    "eligibility.activate_ruleset",
    "eligibility.simulate_ruleset",
    "eligibility.start_run",
]

# Graduation (issue 21 part 4): whoever reads the findings reads a family's graduations; the
# facilitators, the desk and the Verifikator propose; only the Verifikator confirms (never their
# own proposal: eligibility.graduation).
_GRADUATION_READ = ["eligibility.view_graduation", "eligibility.view_relapse"]
_GRADUATION_PROPOSE = ["eligibility.propose_graduation"]
_GRADUATION_DECIDE = ["eligibility.decide_graduation"]

# Referrals (issue 5): raised by the facilitators and the desk, acted on by agency staff; the
# receiving agency and the origin are checked by referrals.services.
_REFERRALS_RAISE = ["referrals.add_referral", "referrals.view_referral"]
_REFERRALS_ACT = ["referrals.act_on_referral", "referrals.view_referral"]
# The family's plan (issue 21): made and followed by the facilitator and the desk, in their
# write scope; read by those who read the household (agency staff: only the interventions
# referred to their agency, referrals.selectors).
_PLANS_READ = ["referrals.view_plan"]
_PLANS_WRITE = ["referrals.add_plan", "referrals.change_plan", "referrals.view_plan"]
# Complaints are taken at the Puskesos desk.
_COMPLAINTS = ["referrals.add_complaint", "referrals.view_complaint"]

# National data (issue 22): the importers of DTSEN extracts are the data steward and the
# Verifikator; the reconciliation queue is read where households are, and its cases are
# closed by those who write there (households.scope's write scope guards which).
_NATIONAL_READ = ["national.view_reconciliationcase"]
_NATIONAL_IMPORT = ["national.view_extract", "national.import_extract"]
_NATIONAL_CLOSE = ["national.close_case"]
# Verification visits and usulan (issue 22): a ward's facilitator and desk schedule and do its
# visits; the desk agrees the ward's batch at the musyawarah; the Verifikator assembles the
# city's batch, sends it and records the national system's answer.
_VISITS = ["national.view_visit", "national.add_visit", "national.change_visit"]
_WARD_BATCH_READ = ["national.view_kelurahanbatch"]
_WARD_BATCH_AGREE = ["national.agree_kelurahanbatch"]
_CITY_BATCH = ["national.view_usulanbatch", "national.add_usulanbatch", "national.decide_usulan"]

# What each role may do; *which records* it may do it to is households.scope's job.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.PENDAMPING: _REGISTRY_READ
    + _REGISTRY_WRITE
    + _NEEDS_READ
    + _NEEDS_WRITE
    + _MOVE_REQUEST
    + _FLAGS_READ
    + _GRADUATION_READ
    + _GRADUATION_PROPOSE
    + _REFERRALS_RAISE
    + _PLANS_WRITE
    + _BREAK_GLASS_REQUEST
    + _NATIONAL_READ
    + _NATIONAL_CLOSE
    + _VISITS
    + _WARD_BATCH_READ,
    Role.OPERATOR_PUSKESOS: _REGISTRY_READ
    + _REGISTRY_WRITE
    + _NEEDS_READ
    + _NEEDS_WRITE
    + _MOVE_REQUEST
    + _IMPORT
    + _FLAGS_READ
    + _GRADUATION_READ
    + _GRADUATION_PROPOSE
    + _REFERRALS_RAISE
    + _PLANS_WRITE
    + _COMPLAINTS
    + _NATIONAL_READ
    + _NATIONAL_CLOSE
    + _VISITS
    + _WARD_BATCH_READ
    + _WARD_BATCH_AGREE,
    Role.PETUGAS_OPD: _REGISTRY_READ
    + _NEEDS_READ
    + _FLAGS_READ
    + _REFERRALS_ACT
    + _PLANS_READ
    + _BREAK_GLASS_REQUEST,
    Role.VERIFIKATOR: _REGISTRY_READ
    + _REGISTRY_WRITE
    + _NEEDS_READ
    + _NEEDS_WRITE
    + _IMPORT
    + ["households.add_enrolment", "households.change_enrolment"]
    + _FLAGS_READ
    + _ELIGIBILITY_DECIDE
    + _GRADUATION_READ
    + _GRADUATION_PROPOSE
    + _GRADUATION_DECIDE
    + _BREAK_GLASS_REVIEW
    + _MOVE_DECIDE
    + _PLANS_READ
    + _NATIONAL_READ
    + _NATIONAL_IMPORT
    + _NATIONAL_CLOSE
    + _VISITS
    + _WARD_BATCH_READ
    + _WARD_BATCH_AGREE
    + _CITY_BATCH,
    Role.DATA_STEWARD: _REGISTRY_READ
    + _NEEDS_READ
    + _IMPORT
    + _FLAGS_READ
    + _GRADUATION_READ
    + _NATIONAL_READ
    + _NATIONAL_IMPORT,
    # The planner sets the unit costs of the planning page (issue 6, item 6).
    Role.PERENCANA: ["dashboards.change_unitcost"],
    Role.PIMPINAN: [],
    Role.ADMIN: _REGISTRY_READ
    + _REGISTRY_WRITE
    + _NEEDS_READ
    + _NEEDS_WRITE
    + _IMPORT
    + _FLAGS_READ
    + _GRADUATION_READ
    + _NATIONAL_READ
    + _NATIONAL_IMPORT
    + ["eligibility.start_run"]
    + [
        "households.add_enrolment",
        "households.change_enrolment",
        "households.view_region",
        "households.view_agency",
        "households.change_agency",
        "households.add_agency",
        "households.view_program",
        "households.change_program",
        "households.add_program",
        "households.view_userprofile",
        "households.change_userprofile",
        "households.add_userprofile",
        "households.view_changerecord",
        "households.view_accessrecord",
        "households.view_exportrecord",
        "households.view_breakglassgrant",
        "households.decide_moverequest",
        "households.view_moverequest",
        "referrals.view_needcategory",
        "referrals.change_needcategory",
        "referrals.add_needcategory",
        "referrals.view_referral",
        "referrals.view_complaint",
        "referrals.view_plan",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "dashboards.change_unitcost",
    ],
}


def role_table() -> str:
    """The README's table of roles, made from ROLE_PERMISSIONS and the write scopes above, so
    the documentation cannot drift from what the code grants (a test compares the two)."""
    lines = [
        "| role (group) | writes records in | permissions |",
        "|---|---|---|",
    ]
    for role in Role:
        if role in WRITES_CITY_WIDE:
            writes = "the whole city"
        elif role in WRITES_IN_OWN_KELURAHAN:
            writes = "own kelurahan"
        else:
            writes = "nothing"
        held = sorted(set(ROLE_PERMISSIONS[role]))
        listed = ", ".join(f"`{name}`" for name in held) if held else "none (aggregates only)"
        if role == Role.ADMIN:
            listed = "all (superuser); its group: " + listed
        lines.append(f"| `{role.value}` | {writes} | {listed} |")
    return "\n".join(lines)
