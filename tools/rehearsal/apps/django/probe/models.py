from django.db import models


class Visit(models.Model):
    """One row per request to /visits/: proves the migration ran and the app can write."""

    created = models.DateTimeField(auto_now_add=True)
    path = models.CharField(max_length=200)
