from django.db import models


class Insight(models.Model):
    """Holds the permission to see commissioners' insights. Insights store nothing of their
    own: every figure is computed from the directory, casework and Encompass tables."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_insights", "Can see commissioners' insights (aggregates only)"),
            ("export_insights", "Can export commissioners' insights as CSV"),
        ]

    def __str__(self) -> str:
        return "Insights"
