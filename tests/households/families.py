"""A family as the registry services take it (household data and member rows)."""

from datetime import date

from households.models import Household, Member
from households.services import MemberChange


def household_data(kelurahan, **overrides):
    data = {
        "kk_number": "3275010502100007",
        "kelurahan": kelurahan,
        "address": "Jl. Melati No. 12",
        "rt": "3",
        "rw": "05",
        "car_count": 0,
        "motorcycle_count": 1,
        "verification_status": Household.VerificationStatus.UNVERIFIED,
    }
    return data | overrides


def member_data(nik="3275011708850001", name="Budi Santoso", **overrides):
    data = {
        "nik": nik,
        "name": name,
        "sex": Member.Sex.MALE,
        "birth_date": date(1985, 8, 17),
        "relationship": Member.Relationship.HEAD,
        "disability": Member.Disability.NONE,
        "chronic_illness": Member.ChronicIllness.NONE,
        "health_insurance": Member.HealthInsurance.NONE,
    }
    return data | overrides


def family():
    return [
        MemberChange(data=member_data(), position=0),
        MemberChange(
            data=member_data(
                nik="3275015203880002",
                name="Siti Aminah",
                sex=Member.Sex.FEMALE,
                birth_date=date(1988, 3, 12),
                relationship=Member.Relationship.SPOUSE,
            ),
            position=1,
        ),
    ]
