"""GET /healthz: is this web process able to serve? For load balancers and docker-compose.

200 while the database answers, 503 when it does not (no page works without it). A broker
(Redis) outage is reported, `"status": "degraded"`, but still answers 200: pages keep working
and the work they queue waits in the database (slrt/dispatch.py), so a load balancer must not
pull the web app out of service for it. No authentication, no personal data, never cached;
each check gives up after about a second.
"""

import redis
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

CHECK_TIMEOUT = 1.0  # seconds


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "broker": _broker()}
    if checks["database"] != "ok":
        overall, code = "down", 503
    elif checks["broker"] == "down":
        overall, code = "degraded", 200
    else:
        overall, code = "ok", 200
    return JsonResponse({"status": overall, **checks}, status=code)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        return "down"
    return "ok"


def _broker() -> str:
    from slrt.celery import app  # what dispatch() publishes with

    if app.conf.task_always_eager:
        return "eager"  # no broker: tasks run in the web process
    url = app.conf.broker_url
    try:
        if url.startswith(("redis://", "rediss://")):
            client = redis.Redis.from_url(
                url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            with Connection(url, connect_timeout=CHECK_TIMEOUT) as broker:
                broker.ensure_connection(max_retries=1)
    except Exception:  # whatever the failure, the broker cannot take work now
        return "down"
    return "ok"
