from django.urls import path

from eligibility import case_views, graduation_views, rule_views, views

app_name = "eligibility"
urlpatterns = [
    path("", case_views.flag_queue, name="flag_queue"),
    path("flags/<int:pk>/", case_views.flag_detail, name="flag_detail"),
    path("flags/review/", case_views.flag_review, name="flag_review"),
    path("households/<int:pk>/", case_views.household_receipt, name="household_receipt"),
    path("cases/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:pk>/history/", case_views.case_history, name="case_history"),
    path("cases/<int:pk>/next/", case_views.case_next, name="case_next"),
    path("cases/<int:pk>/decide/", case_views.case_decide, name="case_decide"),
    path("cases/<int:pk>/assign/", case_views.case_assign, name="case_assign"),
    path("graduations/", graduation_views.graduation_list, name="graduation_list"),
    path("graduations/<int:pk>/", graduation_views.graduation_detail, name="graduation_detail"),
    path(
        "graduations/<int:pk>/decide/",
        graduation_views.graduation_decide,
        name="graduation_decide",
    ),
    path(
        "households/<int:pk>/graduation/",
        graduation_views.graduation_propose,
        name="graduation_propose",
    ),
    path(
        "households/<int:pk>/graduations/",
        graduation_views.household_graduations_part,
        name="household_graduations",
    ),
    path("runs/new/", views.run_start, name="run_start"),
    path("rules/", rule_views.ruleset_list, name="ruleset_list"),
    path("rules/draft/", rule_views.ruleset_create_draft, name="ruleset_create_draft"),
    path("rules/dismissals/", rule_views.dismiss_rate, name="dismiss_rate"),
    path("rules/sets/<int:pk>/", rule_views.ruleset_detail, name="ruleset_detail"),
    path("rules/sets/<int:pk>/reason/", rule_views.ruleset_reason, name="ruleset_reason"),
    path("rules/sets/<int:pk>/discard/", rule_views.ruleset_discard, name="ruleset_discard"),
    path("rules/sets/<int:pk>/simulate/", rule_views.ruleset_simulate, name="ruleset_simulate"),
    path("rules/sets/<int:pk>/confirm/", rule_views.ruleset_confirm, name="ruleset_confirm"),
    path("rules/sets/<int:pk>/activate/", rule_views.ruleset_activate, name="ruleset_activate"),
    path("rules/<int:pk>/edit/", rule_views.rule_edit, name="rule_edit"),
]
