"""Demo flags: `make run` evaluates the active rule set once over the demo registry, so the
dashboards' inclusion errors and the flag queue show real findings from the start."""

from datetime import timedelta

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from eligibility.models import Flag, Run
from eligibility.services import active_rule_set, run_eligibility
from households.models import Household

# The demo's run is dated back as if the rules had been run when the year began (issue 18,
# point 10): the backfilled trend of inclusion errors then starts with the year, not today.
# A household registered after that is flagged from its registration.
RUN_DAYS_AGO = 330


def seed_demo_flags() -> Run | None:
    """Run the active set once through the eligibility service; None (nothing done) when there
    is no active set or it already has a complete run, so a second `make run` adds nothing."""
    rule_set = active_rule_set()
    if rule_set is None or rule_set.runs.filter(status=Run.Status.COMPLETE).exists():
        return None
    run = run_eligibility(by=None)
    then = timezone.now() - timedelta(days=RUN_DAYS_AGO)
    Run.objects.filter(pk=run.pk).update(created_at=then, started_at=then, finished_at=then)
    registered = Household.objects.filter(pk=OuterRef("household_id")).values("created_at")
    Flag.objects.filter(run=run).update(created_at=Greatest(Subquery(registered), Value(then)))
    return run


# --- graduations (issue 21 part 4) -----------------------------------------------------------
# Demo graduations spread over the last twelve months, so the dashboards' graduation and
# relapse trends show on a fresh `make run`: confirmed ones (their enrolments ended with the
# reason "graduasi"), one in eight relapsed a few weeks later; proposals waiting in the demo
# verifier's queue; and Margahayu families whose two assessments 6+ months apart meet the
# criteria, for the demo facilitator to propose. Deterministic; nothing if any graduation exists.
GRADUATION_MONTHS = 12
# Graduations a month, by kecamatan code: a few kecamatan reach the small-cell threshold.
PER_MONTH = {"32.75.01": 5, "32.75.02": 4, "32.75.03": 3, "32.75.07": 2, "32.75.10": 2}
READY_FAMILIES = 3
# What a ready family earns a month per person (about twice Kota Bekasi's poverty line).
READY_INCOME_PER_PERSON = 1_500_000
WAITING = 2
DEMO_EVIDENCE = [
    "Kepala keluarga bekerja tetap sebagai sopir ekspedisi sejak Maret; slip gaji dilihat.",
    "Usaha warung sembako berjalan 8 bulan, omzet harian ± Rp600.000 (buku kas dilihat).",
    "Keluarga menyatakan tidak lagi membutuhkan bantuan (surat pernyataan ditandatangani).",
    "Anak sulung bekerja di pabrik, pendapatan keluarga naik; rumah sudah direnovasi.",
]


def _criteria_lines(values: dict) -> tuple[bool | None, list[dict]]:
    from dataclasses import asdict

    from eligibility.conditions import evaluate
    from eligibility.models import GRADUATION_READY
    from eligibility.presenters import explain
    from eligibility.selectors import definition

    compiled = definition(GRADUATION_READY)
    if compiled is None:
        return None, []
    return evaluate(compiled.condition, values), [
        asdict(line) for line in explain(compiled.condition, values)
    ]


def seed_demo_graduations(*, today=None) -> int:
    """Create the demo graduations and relapses (see above). Returns how many graduations."""
    import datetime

    from django.contrib.auth.models import User
    from django.db import transaction

    from eligibility.graduation import is_poor
    from eligibility.models import Graduation, Relapse
    from households.demo.users import MARGAHAYU
    from households.models import Enrolment

    if Graduation.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    proposer, verifier = users.get("demo-pendamping"), users.get("demo-verifikator")
    if proposer is None or verifier is None:
        return 0
    now = timezone.now()
    today = today or timezone.localdate()
    met_values = {
        "assessed_income_pct": 134,
        "earlier_assessed_income_pct": 118,
        "open_exclusion_findings": 0,
    }
    met, lines = _criteria_lines(met_values)
    version = active_rule_set().version if active_rule_set() else None
    # Aided families above the poorest four deciles: a graduate still poor by its desil would
    # count as an exclusion error on the dashboards the day after.
    aided = Household.objects.filter(
        enrolments__status=Enrolment.Status.ACTIVE, welfare_decile__gte=5
    ).distinct()
    count = 0
    with transaction.atomic():
        ready = _seed_ready_families(proposer, today)
        taken = set(ready)
        for code, per_month in PER_MONTH.items():
            candidates = list(
                aided.filter(kelurahan__parent__code=code)
                .exclude(kelurahan__code=MARGAHAYU)
                .order_by("pk")
                .values_list("pk", flat=True)[: per_month * GRADUATION_MONTHS + WAITING]
            )
            for index, household_id in enumerate(candidates):
                if household_id in taken:
                    continue
                taken.add(household_id)
                # The first few wait in the verifier's queue; the others graduated, per_month
                # a month going back from this one.
                waiting = index < WAITING
                month = 0 if waiting else (index - WAITING) // per_month
                proposed = now - datetime.timedelta(days=month * 30 + 4 + index % 9)
                decided = proposed + datetime.timedelta(days=2 + index % 3)
                if not waiting and decided > now:
                    decided = now - datetime.timedelta(hours=1 + index % 5)
                kind = Graduation.Kind.MANDIRI if index % 4 == 2 else Graduation.Kind.CRITERIA
                graduation = Graduation.objects.create(
                    household_id=household_id,
                    kind=kind,
                    status=Graduation.Status.PROPOSED if waiting else Graduation.Status.CONFIRMED,
                    proposed_by=proposer,
                    evidence=DEMO_EVIDENCE[index % len(DEMO_EVIDENCE)],
                    rule_set_version=version,
                    criteria_met=met,
                    criteria=lines,
                    decided_by=None if waiting else verifier,
                    decided_at=None if waiting else decided,
                    decision_note="" if waiting else "Kunjungan rumah: kondisi sesuai bukti.",
                    # As the service records it: a family poor by its desil does not relapse
                    # by it at the next run.
                    poor_at_confirmation=None
                    if waiting
                    else is_poor(Household.objects.get(pk=household_id)),
                )
                Graduation.objects.filter(pk=graduation.pk).update(created_at=proposed)
                count += 1
                if waiting:
                    continue
                Enrolment.objects.filter(household_id=household_id).exclude(
                    status=Enrolment.Status.ENDED
                ).update(
                    status=Enrolment.Status.ENDED,
                    end_date=timezone.localtime(decided).date(),
                    end_reason="graduasi",
                )
                if index % 8 == 5 and month >= 2:
                    Relapse.objects.create(
                        household_id=household_id,
                        graduation=graduation,
                        detected_at=decided + datetime.timedelta(days=35 + index % 20),
                        why=Relapse.Why.ASSESSED_POOR,
                        values={},
                    )
    return count


def _seed_ready_families(proposer, today) -> list[int]:
    """READY_FAMILIES Margahayu families assessed twice, 7 months apart, with an income per
    person above the poverty line: the demo facilitator can propose their graduation."""
    import datetime

    from households.assessments import NeedInput, record_assessment, registry_suggestions
    from households.demo.users import MARGAHAYU
    from households.models import Domain, NeedKind

    families = list(
        Household.objects.filter(kelurahan__code=MARGAHAYU, member_count__gt=0)
        .exclude(eligibility_flags__status="open")  # an open finding blocks graduation
        .order_by("-pk")[:READY_FAMILIES]
    )
    for household in families:
        income = READY_INCOME_PER_PERSON * household.member_count
        for days_ago in (215, 8):
            needs = [
                NeedInput(
                    kind=s.kind,
                    severity="",
                    member_id=s.member.pk if s.member else None,
                    suggested=True,
                    note="Sudah teratasi.",
                )
                for s in registry_suggestions(household)
            ]
            needs += [NeedInput(kind=NeedKind.DOMAIN, domain=d) for d in Domain]
            record_assessment(
                household=household,
                assessed_on=today - datetime.timedelta(days=days_ago),
                needs=needs,
                monthly_income=income,
                note="Keluarga sudah bekerja tetap.",
                by=proposer,
            )
    return [h.pk for h in families]
