"""Two small worlds for the adversarial tests: A in Margahayu, referred to Dinas Kesehatan;
B in Bintara, referred to Dinas Pendidikan. The personas of tests/conftest.py work in A
(pendamping, operator, petugas Dinkes), so B is outside their scope; city-wide roles see both."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from eligibility.graduation import propose_graduation
from eligibility.models import POOR, Flag, Graduation, Rule, RuleSet
from households.assessments import classify_person, record_assessment
from households.models import (
    Agency,
    Assessment,
    Enrolment,
    Household,
    ImportBatch,
    Member,
    PmksCategory,
    PmksClassification,
    Region,
)
from national.models import (
    Extract,
    KelurahanBatch,
    ReconciliationCase,
    Usulan,
    UsulanBatch,
    Visit,
)
from referrals.models import (
    Attachment,
    Complaint,
    NeedCategory,
    Notification,
    Plan,
    PlanIntervention,
    Referral,
)
from referrals.plans import add_intervention, create_plan
from referrals.services import raise_referral, record_complaint
from tests.households.factories import EnrolmentFactory, household_with_members, persona
from tests.households.needs_inputs import decided_needs

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@dataclass
class World:
    kelurahan: Region
    household: Household
    member: Member
    enrolment: Enrolment
    referral: Referral
    attachment: Attachment
    complaint: Complaint
    batch: ImportBatch
    flag: Flag
    notification: Notification
    assessment: Assessment
    pmks: PmksClassification  # the head's, in an ordinary category (agency staff see it)
    # The family's plan (issue 21), not yet agreed: a referral to the world's agency (its
    # staff see that step) and the facilitator's own action (they do not).
    plan: Plan
    step: PlanIntervention
    own_step: PlanIntervention
    graduation: Graduation  # proposed by the desk, awaiting a verifier (issue 21 part 4)
    national_case: ReconciliationCase  # the family is poor and not in DTSEN (issue 22)
    visit: Visit  # a verification visit still to do (issue 22)
    draft_batch: KelurahanBatch  # the kelurahan's draft, with one proposal
    agreed_batch: KelurahanBatch  # agreed (with its minutes) and sent in usulan_batch
    usulan_batch: UsulanBatch
    usulan: Usulan  # sent, waiting for the national system's answer


def _category(code: str, agency_code: str) -> NeedCategory:
    category, _ = NeedCategory.objects.get_or_create(
        code=code,
        defaults={
            "name": code,
            "default_agency": Agency.objects.get(code=agency_code),
            "deadline_days": 14,
        },
    )
    return category


def build_world(
    kelurahan: Region,
    *,
    agency_code: str,
    desk: User,
    rule: Rule,
    text: str = "Butuh bantuan",
    ward_file: bytes = b"no_kk,nik,nama\n1,2,Siti\n",
) -> World:
    """One household with everything hanging off it, raised by `desk` (its kelurahan's desk)."""
    household = household_with_members(kelurahan, size=2)
    member = household.members.order_by("pk").first()
    enrolment = EnrolmentFactory(household=household)
    category = _category(f"sec-{agency_code}", agency_code)
    complaint = record_complaint(
        kelurahan=kelurahan, complainant_name="Ibu Uji", request=text, by=desk, household=household
    )
    referral = raise_referral(household=household, category=category, description=text, by=desk)
    attachment = Attachment.objects.create(
        referral=referral,
        file=ContentFile(PDF, name="surat.pdf"),
        name="surat.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=desk,
    )
    batch = ImportBatch.objects.create(
        filename="rw01.csv",
        file=ContentFile(ward_file, name="rw01.csv"),
        checksum=f"sec-{household.pk}",
        uploaded_by=desk,
        kelurahan=kelurahan,
        status="validated",
        counts={"rows": 1, "valid": 0, "errors": 1},
    )
    flag = Flag.objects.create(household=household, rule=rule, rule_code=rule.code)
    notification = Notification.objects.create(
        recipient=desk, referral=referral, kind=Notification.Kind.SUBMITTED, key="", message="m"
    )
    assessment = record_assessment(
        household=household,
        assessed_on=complaint.created_at.date(),
        needs=decided_needs(household),
        by=desk,
    )
    head = household.members.get(relationship=Member.Relationship.HEAD)
    pmks = classify_person(
        member=head,
        category=PmksCategory.objects.get(code="lanjut-usia-terlantar"),
        recorded_on=assessment.assessed_on,
        by=desk,
    )
    plan = create_plan(household=household, made_on=assessment.assessed_on, by=desk)
    step, own_step = (
        add_intervention(
            plan=plan,
            kind=kind,
            description=text,
            target_date=assessment.assessed_on,
            category=category if kind == PlanIntervention.Kind.REFERRAL else None,
            by=desk,
        )
        for kind in (PlanIntervention.Kind.REFERRAL, PlanIntervention.Kind.OWN)
    )
    graduation = propose_graduation(
        household=household, kind=Graduation.Kind.MANDIRI, evidence=text, by=desk
    )
    national_case = ReconciliationCase.objects.create(
        extract=_extract(desk),
        kind=ReconciliationCase.Kind.UNREGISTERED,
        action=ReconciliationCase.Action.PROPOSE_NEW,
        kelurahan=kelurahan,
        household=household,
        finding="poor",
    )
    visits = _visits(kelurahan, household, national_case.extract, desk)
    return World(
        kelurahan, household, member, enrolment, referral, attachment, complaint, batch, flag,
        notification, assessment, pmks, plan, step, own_step, graduation, national_case, *visits,
    )  # fmt: skip


def _visits(kelurahan, household, extract, desk):
    """Issue 22's second half around the world's family: a visit to do, a proposal in the
    kelurahan's draft batch, and one agreed, sent and waiting for its answer."""
    today = timezone.localdate()

    def visit(result=""):
        case = ReconciliationCase.objects.create(
            extract=extract, kind=ReconciliationCase.Kind.UNREGISTERED,
            action=ReconciliationCase.Action.PROPOSE_NEW, kelurahan=kelurahan,
            household=household, finding="poor", status=ReconciliationCase.Status.CLOSED,
        )  # fmt: skip
        return Visit.objects.create(
            case=case, kelurahan=kelurahan, household=household, due_on=today, result=result,
            visited_on=today if result else None,
        )  # fmt: skip

    def proposal(batch, status):
        return Usulan.objects.create(
            visit=visit(Visit.Result.LAYAK), kelurahan_batch=batch, kelurahan=kelurahan,
            household=household, kind=Usulan.Kind.BARU, nik=household.members.first().nik,
            kk_number=household.kk_number, name=household.head_name, reason="Layak",
            visited_on=today, status=status,
        )  # fmt: skip

    draft = KelurahanBatch.objects.create(kelurahan=kelurahan)
    proposal(draft, Usulan.Status.DRAFT)
    city = UsulanBatch.objects.create(quarter="2026-Q4", sent_on=today, created_by=desk)
    agreed = KelurahanBatch.objects.create(
        kelurahan=kelurahan, status=KelurahanBatch.Status.AGREED, meeting_on=today,
        attendees="Lurah", minutes=ContentFile(PDF, name="berita-acara.pdf"), usulan_batch=city,
    )  # fmt: skip
    sent = proposal(agreed, Usulan.Status.SENT)
    return visit(), draft, agreed, city, sent


EXTRACT_FILE = b"No KK;NIK;Nama;Kelurahan;Desil\n3275010101200099;12345;Tanpa NIK;32.75.01.1002;2\n"


def _extract(by: User) -> Extract:
    """One DTSEN extract both worlds' cases belong to (the city's), with a row in error."""
    extract = Extract.objects.filter(checksum="sec-dtsen").first()
    if extract is None:
        extract = Extract.objects.create(
            quarter="2026-Q3",
            as_of="2026-09-30",
            filename="dtsen.csv",
            file=ContentFile(EXTRACT_FILE, name="dtsen.csv"),
            checksum="sec-dtsen",
            status=Extract.Status.COMPLETE,
            rows=1,
            rejected=1,
            uploaded_by=by,
        )
        extract.issues.create(row_number=2, column="nik", code="nik_length", message="NIK")
    return extract


def security_rule() -> Rule:
    rule_set = RuleSet.objects.create(
        version=901, status=RuleSet.Status.DRAFT, reason="Uji matriks keamanan"
    )
    # Every set defines "poor" (issue 19): without it the draft could not be activated.
    Rule.objects.create(
        rule_set=rule_set, code=POOR, name_id="Miskin", name_en="Poor",
        kind=Rule.Kind.DEFINITION,
        condition={"field": "welfare_decile", "op": "between", "value": [1, 4]}, message="",
    )  # fmt: skip
    return Rule.objects.create(
        rule_set=rule_set, code="sec_test", name_id="Uji", name_en="Test",
        kind=Rule.Kind.EXCLUSION, condition={"field": "car_count", "op": ">=", "value": 1},
        message="",
    )  # fmt: skip


def desk_of(kelurahan: Region, username: str) -> User:
    return persona("operator_puskesos", kelurahan=[kelurahan], username=username)
