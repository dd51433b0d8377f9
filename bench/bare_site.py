"""The bare page of bench_load.py: a minimal Django project in one module (settings, URL conf,
views and the WSGI application), served by gunicorn exactly as the project is:

    DATABASE_URL=... SECRET_KEY=... gunicorn --pythonpath bench bare_site:application

What a page of ours cannot do without: the session, authentication and CSRF middleware, a
login through Django's LoginView (its own session in the same django_session table, the same
users), a persistent database connection (CONN_MAX_AGE as slrt/settings.py) and a template
rendered with a CSRF token. `/households/?kelurahan=<id>` shows the first ROWS households of
that kelurahan in the household list's order (Household.Meta.ordering), the columns the list
shows: bench_load.py checks that they are the very rows of the project's `/households/` for
the facilitator of that kelurahan. Nothing else: no scope, roles, navigation, filters, count
or read log. Not a part of the application; nothing imports it.
"""

import os

import environ
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import path

ROWS = 25  # households.views.PAGE_SIZE: the rows the project's list page shows

os.environ["DJANGO_SETTINGS_MODULE"] = __name__

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = __name__
DATABASES = {"default": environ.Env.db_url_config(os.environ["DATABASE_URL"])}
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_REDIRECT_URL = "/households/"
PAGE = """<!doctype html><html><head><title>Households</title></head><body>
<p>{{ user.get_username }}</p>
<form method="post" action="/accounts/logout/">{% csrf_token %}<button>Log out</button></form>
<ul>{% for h in rows %}<li><a href="/households/{{ h.0 }}/"><strong>{{ h.1|default:"–" }}</strong>
<span>KK {{ h.2 }}</span> <span>{{ h.3 }}, RT {{ h.4 }}/RW {{ h.5 }}, {{ h.6 }}</span>
<span>{{ h.7 }} members{% if h.8 %} · decile {{ h.8 }}{% endif %} · {{ h.9 }}</span></a></li>
{% endfor %}</ul></body></html>"""
LOGIN = """<!doctype html><html><body><form method="post">{% csrf_token %}{{ form.as_p }}
<button>Log in</button></form></body></html>"""
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            # Compiled once per process, as the project's templates are (Django wraps its
            # loaders in the cached loader when none are named; naming them, as here, does not):
            # without it the bare page parsed its template on every request.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        (
                            "django.template.loaders.locmem.Loader",
                            {"page.html": PAGE, "login.html": LOGIN},
                        )
                    ],
                )
            ],
            "context_processors": ["django.contrib.auth.context_processors.auth"],
        },
    }
]
ROWS_SQL = """
SELECT h.id, h.head_name, h.kk_number, h.address, h.rt, h.rw, k.name, h.member_count,
       h.welfare_decile, h.verification_status
FROM households_household h JOIN households_region k ON k.id = h.kelurahan_id
WHERE h.kelurahan_id = %s
ORDER BY h.updated_at DESC, h.id DESC
LIMIT %s
"""


def households(request: HttpRequest) -> HttpResponse:
    from django.db import connection
    from django.shortcuts import render

    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    with connection.cursor() as cursor:
        cursor.execute(ROWS_SQL, [int(request.GET["kelurahan"]), ROWS])
        rows = [(*row[:2], _masked(row[2]), *row[3:]) for row in cursor.fetchall()]
    return render(request, "page.html", {"rows": rows})


def login(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.views import LoginView

    return LoginView.as_view(template_name="login.html")(request)


def _masked(kk: str) -> str:
    return f"{kk[:4]}{'*' * (len(kk) - 8)}{kk[-4:]}"


urlpatterns = [path("households/", households), path("accounts/login/", login)]

from django.core.wsgi import get_wsgi_application  # noqa: E402 (the settings come first)

application = get_wsgi_application()
