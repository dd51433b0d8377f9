"""URLs reversed once per process (slrt.reversing) are the URLs Django reverses."""

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix

from slrt import reversing


@pytest.mark.parametrize("pk", [1, 7, 10, 1234567, 918273645])
def test_a_kept_url_with_a_number_is_djangos(pk):
    for _ in range(2):  # reversed, then kept
        assert reversing.reverse_pk("households:household_detail", pk) == reverse(
            "households:household_detail", args=[pk]
        )


def test_kept_urls_follow_the_script_prefix():
    plain = reversing.kept_reverse("households:household_list")
    try:
        set_script_prefix("/slrt/")
        assert reversing.kept_reverse("households:household_list") == "/slrt" + plain
        assert reversing.reverse_pk("households:household_detail", 5) == reverse(
            "households:household_detail", args=[5]
        )
        assert reversing.reverse_pk("households:household_detail", 5).startswith("/slrt/")
    finally:
        clear_script_prefix()
    assert reversing.kept_reverse("households:household_list") == plain


def test_the_template_tag_is_the_url_tag():
    source = (
        "{% load kept_urls %}{% kept_url 'dashboards:overview' %}|{% url 'dashboards:overview' %}"
    )
    kept, plain = Template(source).render(Context()).split("|")
    assert kept == plain == reverse("dashboards:overview")


def test_the_template_tag_with_a_number_is_the_url_tag():
    source = (
        "{% load kept_urls %}{% kept_url 'referrals:referral_detail' 42 %}|"
        "{% url 'referrals:referral_detail' 42 %}"
    )
    kept, plain = Template(source).render(Context()).split("|")
    assert kept == plain == reverse("referrals:referral_detail", args=[42])
