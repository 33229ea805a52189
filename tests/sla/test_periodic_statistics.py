from __future__ import annotations

import pytest
from django.db.models import F

from aduan.evaluation.models import CountedDay, StatCount
from aduan.sla.sweeps import run_sweeps
from tests.factories import submit


@pytest.mark.django_db
def test_the_periodic_sweep_keeps_the_pre_aggregated_counts_current() -> None:
    submit()
    first = run_sweeps()
    assert first["stats_months_recounted"] >= 1
    assert StatCount.objects.exists()
    assert not CountedDay.objects.exclude(counted_version=F("version")).exists()
    assert run_sweeps()["stats_months_recounted"] == 0  # nothing changed: nothing recounted
