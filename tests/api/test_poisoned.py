"""One bad report never fails another (issue 12): poisoned submissions sent at the same moment as
valid ones. Before, a 308-character e-mail or a lone surrogate failed the group commit it joined,
and every valid report of the group got a 500; now submission_prepare refuses what the columns
cannot hold before the submission joins a group, and a group that fails all the same is written
one by one (tests/foundation/test_groupcommit.py poisons rows behind submission_prepare's back)."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from aduan.directory.ponorogo import ensure_ponorogo_directory
from aduan.intake import groupcommit
from aduan.intake.models import Report
from tests.api.conftest import SMALLEST

VALID = 24
POISONED: list[tuple[dict[str, Any], dict[str, str], str]] = [
    ({"email": "a" * 296 + "@example.id"}, {}, "invalid_email"),
    ({"title": "x\ud800"}, {}, "invalid_characters"),
    ({"description": "Banjir\ud83d"}, {}, "invalid_characters"),
    ({"name": "Siti\x00"}, {}, "invalid_characters"),
    ({"region": "35.02.17\x00"}, {}, "invalid_characters"),
    ({"category": "\x00"}, {}, "invalid_characters"),
    ({"latitude": float("nan"), "longitude": 111.4}, {}, "invalid_latitude"),
    ({"latitude": -7.8, "longitude": 1e300}, {}, "invalid_longitude"),
    ({"address": "a" * 301}, {}, "address_too_long"),
    ({"region": "35.01.01"}, {}, "region_outside_installation"),
    ({}, {"Idempotency-Key": "k" * 129}, "idempotency_key_too_long"),
]


@pytest.mark.django_db(transaction=True)
def test_poisoned_submissions_among_concurrent_valid_ones() -> None:
    # On SQLite too: the groups are written by one thread at a time.
    ensure_ponorogo_directory()
    # The region is read once, before the concurrent requests (then kept by intake).
    warm_up = Client().post(
        "/api/v1/reports",
        json.dumps(SMALLEST),
        content_type="application/json",
        headers={"X-Device-Id": "warm-up-1"},
    )
    assert warm_up.status_code == 201
    Report.objects.all().delete()
    requests = [
        ({**SMALLEST, "title": f"Laporan {n}"}, {"Idempotency-Key": f"ok-{n}"}, "") for n in range(VALID)
    ]
    for n, (change, headers, code) in enumerate(POISONED):
        # Spread among the valid ones, so that every group formed has some of each.
        requests.insert(2 * n + 1, ({**SMALLEST, **change}, headers, code))
    barrier = threading.Barrier(len(requests))
    answers: dict[int, tuple[int, dict[str, Any]]] = {}
    errors: list[BaseException] = []

    def post(index: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        try:
            barrier.wait(timeout=20)
            response = Client().post(
                "/api/v1/reports",
                json.dumps(body),
                content_type="application/json",
                headers={"X-Device-Id": f"device-poison-{index:03d}", **headers},
            )
            answers[index] = (response.status_code, response.json())
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    before = dict(groupcommit.stats)
    threads = [
        threading.Thread(target=post, args=(i, body, headers))
        for i, (body, headers, _) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    created = []
    for index, (_, _, code) in enumerate(requests):
        status, body = answers[index]
        if code:
            assert (status, body.get("code")) == (400, code), body
        else:
            assert status == 201, body
            created.append(body["tracking_number"])
    assert len(set(created)) == VALID
    assert set(Report.objects.values_list("tracking_number", flat=True)) == set(created)
    # Refused before joining a group: no group had to be written one by one; and the valid ones
    # did share groups.
    assert groupcommit.stats["isolated"] == before["isolated"]
    groups = groupcommit.stats["groups"] - before["groups"]
    assert groupcommit.stats["submissions"] - before["submissions"] == VALID and groups < VALID
