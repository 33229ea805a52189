"""aduan.core.rows.build makes the instance Model(**values) makes, for the models intake builds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Model
from django.db.models.signals import post_init

from aduan.core import rows
from aduan.directory.models import Region
from aduan.directory.ponorogo import ensure_ponorogo_directory
from aduan.intake.models import Channel, IdempotencyRecord, Kind, Report, Reporter
from aduan.notifications.models import OutboundMessage
from aduan.workflow.models import ReportEvent

NOW = dt.datetime(2026, 11, 3, 8, 15, tzinfo=dt.UTC)


def state(obj: Model) -> dict[str, Any]:
    """Everything an instance holds: its attributes and the related objects it has cached."""
    attributes = {k: v for k, v in obj.__dict__.items() if k != "_state"}
    return {
        "attributes": attributes,
        "cached": dict(obj._state.fields_cache),
        "adding": obj._state.adding,
        "db": obj._state.db,
    }


def same(model: type[Model], **values: Any) -> Model:
    built, constructed = rows.build(model, **values), model(**values)
    assert type(built) is model
    assert state(built) == state(constructed)
    return built


@pytest.mark.django_db
def test_build_equals_the_constructor_for_the_rows_of_a_submission() -> None:
    ensure_ponorogo_directory()
    kecamatan = Region.objects.get(code="35.02.17")
    desa = Region.objects.filter(parent=kecamatan).first()
    reporter = same(Reporter, name="Sri", phone="+6281234567890", email="", nik="", user=None)
    report = same(
        Report,
        tracking_number="2611-0000001",
        access_code_digest="d" * 64,
        title="Jalan rusak",
        original_text="Berlubang",
        kind=Kind.PENGADUAN,
        category=None,
        region=desa,
        kecamatan=kecamatan,
        desa=desa,
        latitude=Decimal("-7.87"),
        channel=Channel.MOBILE,
        reporter=reporter,
        is_anonymous=False,
        submitted_at=NOW,
        updated_at=NOW,
    )
    assert report.kecamatan_id == "35.02.17" and report.kecamatan is kecamatan  # type: ignore[attr-defined]
    same(
        ReportEvent, report=report, action="submit", from_status="", to_status="x", data={"channel": "mobile"}
    )
    event = same(ReportEvent, report=report, action="submit")
    assert event.data == {} and event.data is not same(ReportEvent, report=report).data  # type: ignore[attr-defined]
    same(OutboundMessage, report=report, event=None, channel="sms", to="+62812", body="Hai", created_at=NOW)
    same(IdempotencyRecord, scope="ip:1", key="k", fingerprint="f", status_code=201, response={"a": 1})
    same(Report, reporter_id=5, kecamatan_id="35.02.17")  # attnames as well


def test_build_defers_to_the_constructor_for_unknown_names_and_init_receivers() -> None:
    with pytest.raises(TypeError):
        rows.build(Reporter, no_such_field=1)
    with pytest.raises(ValueError, match="must be a"):
        rows.build(Report, reporter=IdempotencyRecord())  # a related object of the wrong model

    seen: list[Model] = []

    def receiver(sender: type[Model], instance: Model, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(receiver, sender=Reporter)
    try:
        built = rows.build(Reporter, name="Sri")
    finally:
        post_init.disconnect(receiver, sender=Reporter)
    assert seen == [built]
