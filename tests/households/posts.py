"""POST data as the household form sends it: a new family, or an edit of a stored one."""


def form_data(kelurahan, members, **household):
    """POST data as the household form sends it."""
    data = {
        "kk_number": "3275010502100007",
        "kelurahan": str(kelurahan.pk),
        "address": "Jl. Melati No. 12",
        "rt": "3",
        "rw": "5",
        "car_count": "0",
        "motorcycle_count": "1",
        "verification_status": "unverified",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": str(sum(1 for m in members if m.get("id"))),
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
    }
    data.update(household)
    for index, member in enumerate(members):
        row = {
            "nik": "3275011708850001",
            "name": "Budi Santoso",
            "sex": "male",
            "birth_date": "1985-08-17",
            "relationship": "head",
            "disability": "none",
            "chronic_illness": "none",
            "health_insurance": "none",
        } | member
        data.update({f"members-{index}-{key}": value for key, value in row.items()})
    return data


def members_as_posted(household):
    return [
        {
            "id": str(m.pk),
            "nik": m.nik,
            "name": m.name,
            "sex": m.sex,
            "birth_date": m.birth_date.isoformat(),
            "relationship": m.relationship,
        }
        for m in household.members.order_by("pk")
    ]


def edit_post(household, kelurahan, **changes):
    common = {"kk_number": household.kk_number, "version": str(household.version)}
    return form_data(kelurahan, members_as_posted(household), **common, **changes)
