"""Content-Security-Policy (issue 7): every page carries a policy without inline scripts, and no
template brings back inline script, event-handler attributes or inline styles."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"'][^\"']*[\"']", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def _templates():
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            yield path.relative_to(ROOT).as_posix(), path.read_text()


def test_the_template_scan_sees_every_app():
    names = {name.split("/")[0] for name, _ in _templates()}
    assert {"templates", "households", "eligibility", "referrals", "dashboards"} <= names


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (INLINE_SCRIPT, "inline <script> (move it to static/js/)"),
        (EVENT_HANDLER, "event-handler attribute (use a data- attribute and slrt.js)"),
        (STYLE_ATTRIBUTE, "style attribute (use a class in static/css/slrt.css)"),
        (STYLE_BLOCK, "<style> block (move it to static/css/slrt.css)"),
    ],
)
def test_no_template_has_inline_code_the_policy_refuses(pattern, what):
    found = {
        (name, match.group(0).strip())
        for name, text in _templates()
        for match in pattern.finditer(text)
    }
    assert found == set(), f"{what}: {sorted(found)}"


def test_the_scan_would_catch_an_inline_handler_and_script():
    assert EVENT_HANDLER.search('<button type="button" onclick="go()">')
    assert EVENT_HANDLER.search("<body onload='x()'>")
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">')
    assert not INLINE_SCRIPT.search('<script src="/static/js/slrt.js" defer></script>')
    assert not EVENT_HANDLER.search('<a href="/" data-once="1" hx-on="x">')


EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def test_the_login_page_has_the_policy(client):
    policy = _policy(client.get("/accounts/login/"))
    assert {name: policy.get(name) for name in EXPECTED} == EXPECTED


@pytest.mark.parametrize(
    "url", ["/households/", "/dashboards/", "/notifications/", "/accounts/api-token/", "/admin/"]
)
def test_pages_have_the_policy_without_inline_scripts(client, verifikator, url):
    verifikator.is_staff = True
    verifikator.save()
    client.force_login(verifikator)
    response = client.get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert response["X-Frame-Options"] == "DENY"


def test_swagger_ui_loads_its_start_up_script_from_the_app(client, verifikator):
    client.force_login(verifikator)
    page = client.get("/api/docs/")
    policy = _policy(page)
    assert policy["script-src"] == ["'self'"]
    # drf-spectacular's page keeps a small inline <style>: this page alone allows it
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    body = page.content.decode()
    assert not INLINE_SCRIPT.search(body)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
