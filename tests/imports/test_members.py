"""MemberValues: a member row's values as a compact tuple, read like a dict."""

import pickle
from datetime import date

import pytest

from households.imports.members import FIELDS, MemberValues

VALUES = {"nik": "3275011708850001", "name": "Budi", "birth_date": date(1985, 8, 17),
          "is_pregnant": False, "occupation": None}  # fmt: skip


def test_reads_like_the_dict_it_was_made_from():
    member = MemberValues.of(VALUES)
    assert member["nik"] == "3275011708850001"
    assert member.get("name") == "Budi"
    assert member.get("is_pregnant") is False  # a false value is present, not missing
    assert member.get("occupation", "x") is None  # so is None
    assert member.get("sex") is None
    assert member.get("sex", "?") == "?"
    assert member.get("no_such_field", 1) == 1
    assert "name" in member
    assert "sex" not in member
    assert "no_such_field" not in member
    assert dict(member.items()) == VALUES == member.as_dict() == {**member}
    assert set(member.keys()) == set(VALUES)
    with pytest.raises(KeyError):
        member["sex"]


def test_is_a_tuple_in_field_order_and_pickles_as_itself():
    member = MemberValues.of(VALUES)
    assert len(member) == len(FIELDS)
    again = pickle.loads(pickle.dumps(member, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(again) is MemberValues
    assert again == member
    assert again.as_dict() == VALUES


def test_refuses_a_field_that_is_not_a_member_field():
    with pytest.raises(KeyError, match="address"):
        MemberValues.of({"nik": "3275011708850001", "address": "Jl. Melati 1"})
