"""Production settings (issue 7): `check --deploy` passes with the production environment, and
settings refuse to load without a SECRET_KEY once DEBUG is off. Each case runs in a subprocess
with a clean environment, as settings are read once per process."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "slrt.bekasikota.go.id",
}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LOG_LEVEL": "WARNING", **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def _settings(env: dict[str, str], *names: str) -> list[str]:
    code = "from django.conf import settings\n" + "".join(
        f"print(repr(settings.{name}))\n" for name in names
    )
    result = _run(
        ["-c", f"import django; django.setup()\n{code}"],
        {**env, "DJANGO_SETTINGS_MODULE": "slrt.settings"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_check_deploy_passes_with_the_production_environment():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_with_a_weak_secret_key():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {**PRODUCTION, "SECRET_KEY": "change-me"},
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_settings_without_a_secret_key_fail_clearly_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_defaults_are_https_only():
    values = _settings(
        PRODUCTION,
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_PRELOAD",
        "X_FRAME_OPTIONS",
        "SESSION_COOKIE_HTTPONLY",
    )
    assert values == [
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "31536000",
        "False",
        "'DENY'",
        "True",
    ]


def test_the_embedded_default_serves_plain_http():
    values = _settings(
        {"DEBUG": "True"},
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
    )
    assert values == ["True", "False", "False", "0"]


def test_debug_is_off_unless_set():
    """Issue 16: a deployment that forgets DEBUG does not run in debug mode (and then needs
    its SECRET_KEY); `make` sets DEBUG=True for the embedded default."""
    assert _settings({"SECRET_KEY": secrets.token_urlsafe(50)}, "DEBUG") == ["False"]
    result = _run(
        ["-c", "import django; django.setup()"], {"DJANGO_SETTINGS_MODULE": "slrt.settings"}
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    makefile = (ROOT / "Makefile").read_text()
    assert "export DEBUG ?= True" in makefile


def test_hsts_preload_only_when_asked():
    values = _settings(
        {**PRODUCTION, "SECURE_HSTS_PRELOAD": "true"},
        "SECURE_HSTS_PRELOAD",
        "SILENCED_SYSTEM_CHECKS",
    )
    assert values == ["True", "[]"]


def test_the_project_settings_keep_strong_password_hashers():
    # The suite runs on tests/settings.py with MD5 for speed; production must never.
    (hashers,) = _settings(PRODUCTION, "PASSWORD_HASHERS")
    assert "MD5" not in hashers
    assert hashers.startswith("['django.contrib.auth.hashers.PBKDF2PasswordHasher'")


def test_the_cache_is_shared_redis_when_redis_is_configured_and_files_otherwise():
    (with_redis,) = _settings(
        {**PRODUCTION, "REDIS_URL": "redis://redis.internal:6379/0"}, "CACHES['default']"
    )
    assert "RedisCache" in with_redis
    assert "redis://redis.internal:6379/1" in with_redis
    (embedded,) = _settings({"DEBUG": "True"}, "CACHES['default']")
    assert "FileBasedCache" in embedded


def test_email_settings_come_from_email_url():
    smtp = "smtp+tls://slrt:rahasia@mail.bekasikota.go.id:587"
    backend, host, port, user, tls = _settings(
        {**PRODUCTION, "EMAIL_URL": smtp},
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_USE_TLS",
    )
    assert backend == repr("django.core.mail.backends.smtp.EmailBackend")
    assert (host, port, user, tls) == (repr("mail.bekasikota.go.id"), "587", "'slrt'", "True")


def test_email_goes_to_the_console_without_email_url():
    (backend,) = _settings(PRODUCTION, "EMAIL_BACKEND")
    assert backend == repr("django.core.mail.backends.console.EmailBackend")
