"""Answers the health path before Django validates the Host header: the ALB's health checks
carry the target's private IP as Host, which is not (and should not be) in ALLOWED_HOSTS."""
from django.conf import settings

from probe.views import health


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == settings.HEALTH_CHECK_PATH and request.method in ("GET", "HEAD"):
            return health(request)
        return self.get_response(request)
