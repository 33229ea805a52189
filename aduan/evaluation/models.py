"""Pre-aggregated counts (as Zulip's analytics keeps them) and the scenario marker.

`StatCount` holds, per scope and per day (grain "d") or month (grain "m"), how many reports
submitted in that period carry each fact (dimension, key); quarter ("q") and year ("y") rows sum the months — see `aduan.evaluation.facts`.
`CountedDay` says which days are materialised and whether they are still current: the workflow
bumps `version` after every committed event of a report submitted that day, and the refresh job
stores the version it counted in `counted_version`. A day is fresh when both are equal; stale or
missing days are counted from the raw tables at query time, so figures are never out of date.
"""

from __future__ import annotations

from django.db import models


class StatCount(models.Model):
    scope = models.CharField(max_length=60, help_text='"" = kabupaten, "agency:<code>", "kecamatan:<code>"')
    grain = models.CharField(max_length=1, help_text="d = day, m = month, q = quarter, y = year")
    period = models.DateField(help_text="the day, or the first day of the month")
    dimension = models.CharField(max_length=40)
    key = models.CharField(max_length=160, blank=True)
    count = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "grain", "period", "dimension", "key"], name="statcount_unique"
            )
        ]
        indexes = [models.Index(fields=["grain", "scope", "period"])]

    def __str__(self) -> str:
        return (
            f"{self.scope or 'kabupaten'} {self.grain}{self.period} {self.dimension}={self.key}: {self.count}"
        )


class CountedDay(models.Model):
    day = models.DateField(primary_key=True)
    version = models.PositiveIntegerField(default=1)
    counted_version = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["day", "version", "counted_version"])]

    def __str__(self) -> str:
        return f"{self.day} v{self.version}/{self.counted_version}"


class ScenarioRun(models.Model):
    """A scenario that was loaded into this database (so loading it again does nothing)."""

    name = models.CharField(max_length=60, unique=True)
    loaded_at = models.DateTimeField()
    report_ids = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.name
