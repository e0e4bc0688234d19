"""Flask sample app: gunicorn serves wsgi:app (the host's default wsgiApp for flask).

SECRET_KEY, DATABASE_URL and FLASK_ENV come from the host's environment (secrets.env, written
from Secrets Manager; FLASK_ENV from the app's settings secret); REDIS_URL when the app has a cache."""
import json
import os

import psycopg2
from flask import Flask, Response

HEALTH_CHECK_PATH = os.environ.get("HEALTH_CHECK_PATH", "@HEALTH_CHECK_PATH@")


def required(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError("%s is not set (the host writes it to its env files)" % name)
    return value


app = Flask(__name__, static_folder="static", static_url_path="@STATIC_URL_NOSLASH@")
app.config["SECRET_KEY"] = required("SECRET_KEY")
app.config["ENV_NAME"] = os.environ.get("FLASK_ENV", "production")
app.config["SESSION_COOKIE_SECURE"] = True
DATABASE_URL = required("DATABASE_URL")


def db():
    return psycopg2.connect(DATABASE_URL, connect_timeout=5)


@app.route(HEALTH_CHECK_PATH, methods=["GET", "HEAD"])
def health():
    """200 only when the database answers over TLS."""
    result = {"app": os.environ.get("APP_NAME", "flask-sample"), "version": os.environ.get("APP_VERSION", ""), "env": app.config["ENV_NAME"]}
    status = 200
    try:
        conn = db()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                cur.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                row = cur.fetchone()
            result["database"] = "ok"
            result["database_tls"] = bool(row and row[0])
        finally:
            conn.close()
    except Exception as e:  # noqa: BLE001 - any failure is unhealthy
        status = 503
        result["database"] = "error: %s" % type(e).__name__
    return Response(json.dumps(result), status=status, mimetype="application/json")


@app.route("/")
def index():
    return Response("webapp-platform rehearsal sample (Flask)\n", mimetype="text/plain")
