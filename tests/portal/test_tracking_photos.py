"""Photos shown back on /lacak/: the citizen's own and the agency's published evidence, as
thumbnails made when they were stored, under neutral names, only after the access code."""

from __future__ import annotations

import pytest
from django.test import Client

from aduan.accounts.models import User
from aduan.core.actors import actor_for_user
from aduan.workflow.models import FollowUp
from tests.factories import PUPR, act, attach, submit
from tests.imagefiles import photo_jpeg
from tests.portal.test_tracking import opened

pytestmark = pytest.mark.django_db


def test_the_citizen_sees_own_photos_and_the_agencys_evidence(koordinator: User, admin_pupr: User) -> None:
    submitted = submit(title="Jembatan retak", region="35.02.17")
    report = submitted.report
    own = attach(report, photo_jpeg(1200, 900), "IMG_Rahmawati_rumah.jpg")
    k = actor_for_user(koordinator)
    act(k, report, "verify", classification="pengaduan_tidak_berkadar_pengawasan", category=PUPR)
    act(k, report, "dispose", lead="pupr", supporting=[], instruction="Mohon dicek.")
    opd = actor_for_user(admin_pupr)
    act(opd, report, "draft_follow_up", text="Jembatan sudah diperkuat.", public=True)
    draft = FollowUp.objects.get(report=report)
    evidence = attach(report, photo_jpeg(1200, 900), "sesudah_perbaikan.jpg")
    evidence.follow_up = draft
    evidence.save(update_fields=["follow_up"])
    base = f"/lacak/{report.tracking_number}/lampiran"

    stranger = Client()
    assert stranger.get(f"{base}/{own.pk}/kecil/").status_code == 404  # no access code yet
    client = Client()
    opened(client, report.tracking_number, submitted.access_code)
    page = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    assert f'src="{base}/{own.pk}/kecil/"' in page and "lampiran-1.jpg" in page
    assert "Rahmawati" not in page
    # The agency's draft is not the citizen's to see, nor its photo.
    assert f"{base}/{evidence.pk}/" not in page
    assert client.get(f"{base}/{evidence.pk}/kecil/").status_code == 404

    act(opd, report, "follow_up", follow_up_id=draft.pk)
    page = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    assert f'src="{base}/{evidence.pk}/kecil/"' in page and "lampiran-2.jpg" in page
    thumb = client.get(f"{base}/{evidence.pk}/kecil/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert "no-store" in thumb["Cache-Control"] and thumb["Content-Security-Policy"].startswith("sandbox")
    full = client.get(f"{base}/{own.pk}/")
    assert full.status_code == 200 and 'filename="lampiran-1.jpg"' in full["Content-Disposition"]
