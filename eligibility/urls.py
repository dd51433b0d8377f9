from django.urls import path

from eligibility import rule_views, views

app_name = "eligibility"
urlpatterns = [
    path("", views.flag_queue, name="flag_queue"),
    path("flags/<int:pk>/", views.flag_detail, name="flag_detail"),
    path("flags/review/", views.flag_review, name="flag_review"),
    path("households/<int:pk>/", views.household_receipt, name="household_receipt"),
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
