"""Regions, agencies, programs and roles load idempotently from data files."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from households.models import Agency, PmksCategory, Program, Region
from households.reference import AGENCIES, load_reference_data, load_regions, name_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_regions():
    """The test database comes with the regions loaded (tests/conftest.py); these tests load
    them into an empty table. The test's transaction rolls the deletion back."""
    for level in ("kelurahan", "kecamatan", "kota", "provinsi"):  # children first (PROTECT)
        Region.objects.filter(level=level).delete()


def test_kota_bekasi_has_12_kecamatan_and_56_kelurahan(no_regions):
    result = load_regions()
    assert result.created == 70
    assert Region.objects.filter(level="kecamatan").count() == 12
    assert Region.objects.filter(level="kelurahan").count() == 56
    margahayu = Region.objects.get(code="32.75.01.1002")
    assert (margahayu.name, margahayu.parent.name, margahayu.bps_code) == (
        "Margahayu",
        "Bekasi Timur",
        "3275040005",
    )
    assert Region.objects.get(code="32.75.03.1004").bps_code == ""  # Teluk Pucung: unknown


def test_loading_twice_changes_nothing():
    load_regions()
    again = load_regions()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 70)


def test_another_city_in_the_same_shape_loads_the_same_way(tmp_path):
    csv = tmp_path / "depok.csv"
    csv.write_text(
        "code,name,level,parent_code,bps_code,bps_name\n"
        "32,Jawa Barat,provinsi,,32,JAWA BARAT\n"
        "32.76,Kota Depok,kota,32,3276,KOTA DEPOK\n"
        "32.76.01,Pancoran Mas,kecamatan,32.76,,\n"
        "32.76.01.1001,Pancoran Mas,kelurahan,32.76.01,,\n"
    )
    call_command("load_regions", file=csv)
    assert Region.objects.get(code="32.76.01.1001").parent.code == "32.76.01"


def test_a_malformed_region_file_is_refused_clearly(tmp_path):
    from django.core.management.base import CommandError

    csv = tmp_path / "bad.csv"
    csv.write_text("kode,nama\n32,Jawa Barat\n")
    with pytest.raises(CommandError, match="missing columns"):
        call_command("load_regions", file=csv)


def test_name_key_matches_joined_and_spaced_spellings():
    assert name_key("Bekasi Jaya") == name_key("BEKASIJAYA") == "BEKASIJAYA"


def test_reference_data_is_idempotent():
    load_reference_data()
    load_reference_data()
    assert Agency.objects.count() == len(AGENCIES) == 10  # issue 21: Dinkop UKM, a KUR bank
    assert Program.objects.count() == 6
    assert PmksCategory.objects.count() == 26
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "pendamping",
        "operator_puskesos",
        "petugas_opd",
        "verifikator",
        "data_steward",
        "perencana",
        "pimpinan",
        "admin",
    }
    assert not Group.objects.get(name="pimpinan").permissions.exists()


def test_the_command_puts_a_roles_permissions_back_as_the_role_table_says():
    from households.roles import ROLE_PERMISSIONS

    group = Group.objects.get(name="data_steward")
    group.permissions.clear()
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }
    assert granted == set(ROLE_PERMISSIONS["data_steward"])
    assert "up to date" in out.getvalue()
