"""An anonymous report's place is coarsened (desa, ~500 m grid cell, no address) for the public
and for every role that may not know the reporter; one function, location_for, decides."""

from __future__ import annotations

import pytest
from django.test import Client

from aduan.api.services import token_create
from aduan.core.actors import SYSTEM, actor_for_user
from aduan.intake.location import grid_centre
from aduan.workflow.selectors import location_for
from tests.factories import disposed

pytestmark = pytest.mark.django_db

PLACE = {"address": "Jl. Anggrek No. 17", "latitude": "-7.865123", "longitude": "111.462345"}


def test_grid_cell_is_about_500_m_and_the_same_for_every_point_in_it() -> None:
    assert grid_centre(-7.865123) == grid_centre(-7.8651) == grid_centre(-7.8699) == -7.8675
    assert grid_centre(111.462345) == 111.4625
    assert grid_centre(-7.8649) == -7.8625  # the next cell north


def test_who_gets_the_exact_place(koordinator, admin_pupr, pimpinan, apip) -> None:
    k = actor_for_user(koordinator)
    anonymous = disposed(k, lead="pupr", anonymous=True, **PLACE)
    named = disposed(k, lead="pupr", **PLACE)
    for actor in (None, actor_for_user(admin_pupr), actor_for_user(pimpinan), actor_for_user(apip), SYSTEM):
        coarse = location_for(actor, anonymous)
        assert not coarse.exact and coarse.address == ""
        assert (coarse.latitude, coarse.longitude) == (-7.8675, 111.4625)
        assert coarse.kecamatan is not None and coarse.kecamatan.code == "35.02.17"
        assert location_for(actor, named).exact
    exact = location_for(k, anonymous)
    assert exact.exact and exact.address == PLACE["address"] and exact.latitude == -7.865123


def test_the_opd_reads_a_coarsened_place_in_the_api_and_console(login, koordinator, admin_pupr) -> None:
    report = disposed(actor_for_user(koordinator), lead="pupr", anonymous=True, **PLACE)
    token = token_create(user=admin_pupr, name="opd", channel="api")[1]
    api = Client().get(f"/api/v1/reports/{report.tracking_number}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200 and api.json()["address"] == ""
    assert "Anggrek" not in api.content.decode()
    page = login(admin_pupr).get(f"/konsol/laporan/{report.tracking_number}/").content.decode()
    assert "Anggrek" not in page and "disamarkan: laporan anonim" in page
    coordinator_page = login(koordinator).get(f"/konsol/laporan/{report.tracking_number}/").content.decode()
    assert "Jl. Anggrek No. 17" in coordinator_page
