"""Settings read from what the host provides: config.env (ALLOWED_HOSTS, STATIC_ROOT, PORT, APP_*)
and secrets.env (DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL), both loaded by systemd."""
import os
from urllib.parse import parse_qs, unquote, urlparse

import django

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def env(name, default=None, required=False):
    value = os.environ.get(name, default)
    if required and not value:
        raise RuntimeError("%s is not set (the host writes it to its env files)" % name)
    return value


SECRET_KEY = env("DJANGO_SECRET_KEY", required=True)
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "").split(",") if h.strip()]
# Every served name is HTTPS at the edge (nginx or the ALB).
CSRF_TRUSTED_ORIGINS = ["https://%s" % h for h in ALLOWED_HOSTS]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The health path, answered for any Host (ALB health checks send the target's IP as Host).
HEALTH_CHECK_PATH = env("HEALTH_CHECK_PATH", "@HEALTH_CHECK_PATH@")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "probe",
]
MIDDLEWARE = [
    "probe.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = []


def database_from_url(url):
    u = urlparse(url)
    if u.scheme not in ("postgres", "postgresql"):
        raise RuntimeError("DATABASE_URL must be a postgresql:// URL")
    options = {k: v[-1] for k, v in parse_qs(u.query).items()}
    options.setdefault("sslmode", "require")
    options.setdefault("connect_timeout", "5")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(u.path.lstrip("/")),
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "HOST": u.hostname,
        "PORT": str(u.port or 5432),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
    }


DATABASES = {"default": database_from_url(env("DATABASE_URL", required=True))}
REDIS_URL = env("REDIS_URL")
if REDIS_URL and django.VERSION >= (4, 0):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Django 3.2 has no Redis backend; the health view still checks Redis with redis-py.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

STATIC_URL = env("STATIC_URL", "@STATIC_URL@")
STATIC_ROOT = env("STATIC_ROOT", os.path.join(BASE_DIR, "staticfiles"))
STATICFILES_DIRS = [os.path.join(BASE_DIR, "assets")]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
