"""docker-compose.yml is production-ready: checked as data (Docker is not needed here)."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")
SECRET_NAMES = re.compile(r"PASSWORD|SECRET|TOKEN|KEY", re.IGNORECASE)


@pytest.mark.parametrize("name", list(SERVICES))
def test_every_service_restarts_and_has_a_healthcheck(name):
    service = SERVICES[name]
    assert service["restart"] == "unless-stopped"
    assert service["healthcheck"]["test"]


@pytest.mark.parametrize("name", list(SERVICES))
def test_no_secret_is_written_into_the_file(name):
    environment = SERVICES[name].get("environment", {})
    for key, value in environment.items():
        if SECRET_NAMES.search(key):
            # Only a reference to .env that refuses to start without it: ${VAR:?message}.
            assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", str(value)), (name, key, value)


def test_the_web_healthcheck_asks_healthz():
    assert "/healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_the_worker_healthcheck_pings_the_worker():
    assert "inspect ping" in " ".join(SERVICES["worker"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_app_runs_without_debug_from_env_on_a_read_only_filesystem(name):
    service = SERVICES[name]
    assert service["env_file"] == ".env"
    assert service["environment"]["DEBUG"] == "False"
    assert service["read_only"] is True
    assert "/tmp" in service["tmpfs"]
    assert "user" not in service or service["user"] not in ("root", "0")


def test_the_image_does_not_run_as_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users
    assert users[-1] not in ("root", "0")


def test_data_lives_in_named_volumes():
    assert {"pgdata", "redisdata", "media", "beat"} <= set(COMPOSE["volumes"])


def test_the_example_env_carries_no_real_secret():
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert example["DEBUG"] == "False"
    assert example["SECRET_KEY"].startswith("change-me")
    assert example["POSTGRES_PASSWORD"].startswith("change-me")
