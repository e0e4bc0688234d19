import json
import os

from django.db import connection
from django.http import HttpResponse, JsonResponse

from probe.models import Visit


def check_redis(url):
    import redis

    client = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
    try:
        return client.ping()
    finally:
        client.close()


def health(request):
    """200 only when the database answers and the migration is applied (and Redis, when configured)."""
    result = {"app": os.environ.get("APP_NAME", "django-sample"), "version": os.environ.get("APP_VERSION", "")}
    status = 200
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
            cur.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            row = cur.fetchone()
        result["database"] = "ok"
        result["database_tls"] = bool(row and row[0])
        result["visits"] = Visit.objects.count()
    except Exception as e:  # noqa: BLE001 - any failure is unhealthy
        status = 503
        result["database"] = "error: %s" % type(e).__name__
    url = os.environ.get("REDIS_URL")
    if url:
        try:
            check_redis(url)
            result["cache"] = "ok"
        except Exception as e:  # noqa: BLE001
            status = 503
            result["cache"] = "error: %s" % type(e).__name__
    return HttpResponse(json.dumps(result), status=status, content_type="application/json")


def index(request):
    return HttpResponse("webapp-platform rehearsal sample (Django)\n", content_type="text/plain")


def visits(request):
    Visit.objects.create(path=request.path)
    return JsonResponse({"visits": Visit.objects.count()})
