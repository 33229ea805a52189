from __future__ import annotations

import pytest

from aduan.intake.models import Status
from tests.conftest import as_actor
from tests.factories import act, disposed, owner


@pytest.mark.django_db
def test_happy_path(koordinator, admin_pupr):
    report = disposed(as_actor(koordinator), lead="pupr")
    assert report.status == Status.TERDISPOSISI
    report = act(as_actor(admin_pupr), report, "follow_up", text="Sudah kami tegur.")
    assert report.status == Status.DITINDAKLANJUTI
    report = act(owner(report), report, "complete")
    assert report.status == Status.SELESAI
    assert report.events.count() == 5
