"""Fixtures of the operations tests: a broker that cannot be reached."""

import importlib

import pytest

# Nothing listens here (the shared Redis is on 6379; never stop it to simulate an outage).
DEAD_BROKER = "redis://127.0.0.1:6399/0"


@pytest.fixture
def broker_down():
    """Celery publishes for real (not eagerly) to a Redis that is not there, as in production
    during an outage; the app's pools are rebuilt for it and for the eager mode after."""
    from slrt.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    _reset_pools(app)
    app.conf.task_always_eager = False
    app.conf.broker_url = DEAD_BROKER
    try:
        yield app
    finally:
        _reset_pools(app)
        app.conf.update(saved)


def _reset_pools(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def seeded_rules(db):
    """The rule set of the data migration: a transactional test before this one flushed it."""
    from django.apps import apps

    from eligibility.models import RuleSet

    if not RuleSet.objects.exists():
        importlib.import_module("eligibility.migrations.0002_seed_rules").seed(apps, None)
