"""Markers planted in an anonymous report's free text, its reporter's record, a follow-up and the
place it gives are found, by a crawl of every public page and API, only masked or coarsened."""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.test import Client

from aduan.core.actors import actor_for_user
from aduan.intake.models import Report
from tests.factories import act, disposed

pytestmark = pytest.mark.django_db

NAME = "Zulkarnain Wicaksono"
PHONES = ["0813-7771-9864", "+62 813 7771 9864", "081377719864", "0813 7771 9864"]
NIK = "3502017011900003"
EMAIL = "zulkarnain.w@example.org"
ADDRESS = "Jl. Anggrek No. 17 RT 03 RW 02"
LAT, LONG = "-7.865123", "111.462345"
TEXT = (
    f"Saya {NAME}, NIK {NIK}, HP {PHONES[0]} / {PHONES[1]} / {PHONES[2]} / {PHONES[3]}, "
    f"email {EMAIL}. Rumah saya di {ADDRESS}. Jalan depan SDN 2 berlubang dalam."
)
FOLLOW_UP = f"Petugas sudah menghubungi Bapak Zulkarnain di {PHONES[0]}; jalan ditambal pekan ini."
# Nothing of these may appear on a public output, in any spelling the crawl can see.
LEAKS = [
    "Zulkarnain",
    "Wicaksono",
    *PHONES,
    "81377719864",
    NIK,
    EMAIL,
    "Anggrek",
    "-7.8651",
    "111.4623",
]

SEEDS = [
    "/",
    "/laporan/",
    "/statistik/",
    "/statistik/data.json",
    "/statistik/data.csv",
    "/api/v1/stats",
    "/statistik/api/v1/stats",
    "/api/open311/v2/requests.json",
    "/api/open311/v2/requests.xml",
    "/api/open311/v2/requests.json?extensions=true",
    "/api/open311/v2/requests.xml?extensions=true",
    "/api/open311/v2/requests.json?status=open",
]
# Staff, account and form pages are not public outputs of reports; the crawl stays off them.
SKIP = re.compile(r"^/(konsol|django-admin|akun|i18n|lapor/|lacak/|static|media|favicon\.ico)|/dukung/$")


def crawl(client: Client, seeds: list[str], limit: int = 400) -> dict[str, str]:
    """GET every same-site page reachable from the seeds (links in HTML), answer bodies by URL."""
    seen: dict[str, str] = {}
    queue = deque(seeds)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = response.content.decode("utf-8", "replace")
        seen[url] = body
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)', body):
            href = href.replace("&amp;", "&")
            if href.startswith("?"):
                href = url.split("?")[0] + href
            if href.startswith("/") and not SKIP.search(href) and href not in seen:
                queue.append(href)
    return seen


@pytest.fixture
def planted(koordinator, admin_pupr) -> Report:
    k = actor_for_user(koordinator)
    report = disposed(
        k,
        lead="pupr",
        title=f"Jalan rusak, lapor {NAME}",
        description=TEXT,
        name=NAME,
        phone=PHONES[2],
        email=EMAIL,
        nik=NIK,
        anonymous=True,
        region="35.02.17",
        address=ADDRESS,
        latitude=LAT,
        longitude=LONG,
    )
    act(actor_for_user(admin_pupr), report, "follow_up", text=FOLLOW_UP)
    return report


@pytest.fixture
def named_with_address(koordinator) -> Report:
    """Not anonymous: its place is public as given, but not a name or phone written into it."""
    return disposed(
        actor_for_user(koordinator),
        lead="pupr",
        title="Lampu jalan mati",
        name=NAME,
        phone=PHONES[2],
        region="35.02.17",
        address=f"Jl. Melati No. 5, depan rumah Bapak {NAME}, {PHONES[3]}",
        latitude="-7.870001",
        longitude="111.470001",
    )


def test_every_public_output_shows_the_planted_markers_only_masked(
    planted: Report, named_with_address: Report
) -> None:
    client = Client()
    tn = planted.tracking_number
    pages = crawl(
        client,
        [
            *SEEDS,
            f"/laporan/{tn}/",
            f"/api/open311/v2/requests/{tn}.json?extensions=true",
            f"/api/open311/v2/requests/{tn}.xml",
            f"/api/open311/v2/requests.json?service_request_id={tn}",
        ],
    )
    assert f"/laporan/{tn}/" in pages and len(pages) > 15
    for url, body in pages.items():
        for leak in LEAKS:
            assert leak not in body, f"{leak!r} on {url}"
    # The report is there, masked and coarsened, not simply missing.
    page = pages[f"/laporan/{tn}/"]
    assert "Jalan rusak, lapor [nama]" in page
    assert "Saya [nama], NIK [NIK], HP [telepon] / [telepon] / [telepon] / [telepon]" in page
    assert "Rumah saya di [alamat]." in page
    assert "Bapak [nama] di [telepon]; jalan ditambal pekan ini." in page
    assert "Saya [nama]" in pages["/laporan/"]
    request = client.get(f"/api/open311/v2/requests/{tn}.json").json()[0]
    assert request["description"].startswith("Saya [nama], NIK [NIK]")
    assert (request["lat"], request["long"]) == (-7.8675, 111.4625)
    assert "Anggrek" not in request["address"] and "PONOROGO" in request["address"].upper()
    named = client.get(f"/api/open311/v2/requests/{named_with_address.tracking_number}.json").json()[0]
    assert named["address"].startswith("Jl. Melati No. 5, depan rumah Bapak [nama], [telepon]")
    assert (named["lat"], named["long"]) == (-7.870001, 111.470001)
