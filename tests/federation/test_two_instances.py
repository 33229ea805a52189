"""Two real installations on loopback, as two `make run` would be: Kabupaten Ponorogo (the origin)
and Provinsi Jawa Timur (the receiver), each with its own database, server and worker passes.

A report about a provincial road is forwarded, handled at the province (verified, disposed,
followed up), and the follow-up reaches the citizen's tracking page at Ponorogo under the
original number; the citizen's reply at Ponorogo reaches the province; the province's return
lands on Ponorogo's queue; a forward while the province is down waits and arrives; Ponorogo's
evaluation counts the forward and the province's counts the channel `instansi`.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator

import pytest

from tests.federation.instances import BIN, Instance, identity_key

PONOROGO_PORT, JATIM_PORT = 9510, 9511
PROVINCE = "Pemerintah Provinsi Jawa Timur"
VERIFY = {
    "classification": "pengaduan_tidak_berkadar_pengawasan",
    "category": "pekerjaan-umum-dan-penataan-ruang",
}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, Instance]]:
    ponorogo = Instance(
        "ponorogo",
        PONOROGO_PORT,
        tmp_path_factory.mktemp("ponorogo"),
        ADUAN_INSTALLATION_NAME="Pemerintah Kabupaten Ponorogo",
        ADUAN_INSTANCE_LEVEL="kabupaten_kota",
        ADUAN_INSTANCE_CODE="35.02",
    )
    jatim = Instance(
        "jatim",
        JATIM_PORT,
        tmp_path_factory.mktemp("jatim"),
        ADUAN_INSTALLATION_NAME=PROVINCE,
        ADUAN_INSTANCE_LEVEL="provinsi",
        ADUAN_INSTANCE_CODE="35",
        ADUAN_HOME_REGION="35",
    )
    ponorogo.prepare()
    jatim.prepare(template=ponorogo)
    try:
        ponorogo.start()
        jatim.start()
        # Each administrator registers the other by its address and the key it was given.
        ponorogo.aduan("peer", "add", jatim.base, f"--public-key={identity_key(jatim)}")
        jatim.aduan("peer", "add", ponorogo.base, f"--public-key={identity_key(ponorogo)}")
        yield ponorogo, jatim
    finally:
        ponorogo.stop()
        jatim.stop()
        ponorogo.drop()
        jatim.drop()


@pytest.fixture(scope="module")
def staff(pair: tuple[Instance, Instance]) -> dict[str, dict[str, str]]:
    ponorogo, jatim = pair
    return {
        "ponorogo": ponorogo.token("koordinator"),
        "jatim": jatim.token("koordinator"),
        "jatim_pupr": jatim.token("admin-pupr"),
    }


def forwarded(
    ponorogo: Instance, jatim: Instance, staff: dict[str, dict[str, str]], **fields: str
) -> tuple[str, str, str]:
    """A citizen's report at Ponorogo, verified and forwarded to the province's PUPR, delivered,
    and the province's receipt back: (Ponorogo number, access code, the province's number)."""
    number, code = ponorogo.submit(**fields)
    ponorogo.act(staff["ponorogo"], number, "verify", **VERIFY)
    ponorogo.act(staff["ponorogo"], number, "forward", agency="35-pupr", note="Ruas jalan provinsi.")
    assert "federation_sent=1" in ponorogo.worker()
    jatim.worker()  # the receipt
    report = ponorogo.report(staff["ponorogo"], number)
    assert report["status"] == "diteruskan"
    there = report["forwarded_to"]
    assert there["agency"]["code"] == "35-pupr" and there["status"] == "belum_terverifikasi"
    return number, code, there["tracking_number"]


def test_the_peers_know_each_other_and_offer_the_province_agencies(pair: tuple[Instance, Instance]) -> None:
    ponorogo, jatim = pair
    assert "35\tPemerintah Provinsi Jawa Timur\tprovinsi" in ponorogo.aduan("peer", "list")
    status, agencies = ponorogo.get("/api/v1/agencies")
    assert status == 200
    codes = {a["code"] for a in (agencies if isinstance(agencies, list) else agencies.get("results", []))}
    assert "35-pupr" in codes  # beside Ponorogo's own OPDs, in every list that offers agencies
    # A key other than the one the province publishes (someone in the middle) is refused.
    wrong = subprocess.run(
        [str(BIN / "aduan"), "peer", "add", jatim.base, f"--public-key={identity_key(ponorogo)}"],
        env=ponorogo.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode != 0 and "public_key_mismatch" in wrong.stderr


def test_forwarded_handled_at_the_province_and_followed_home(
    pair: tuple[Instance, Instance], staff: dict[str, dict[str, str]]
) -> None:
    ponorogo, jatim = pair
    number, code, there = forwarded(ponorogo, jatim, staff)
    received = jatim.report(staff["jatim"], there)
    assert received["channel"] == "instansi" and received["status"] == "belum_terverifikasi"
    assert received["reporter"]["name"] == "Siti Aminah"  # not anonymous: the contact may travel

    # The province handles it in its own lifecycle.
    jatim.act(staff["jatim"], there, "verify", **VERIFY)
    jatim.act(staff["jatim"], there, "dispose", lead="pupr", supporting=[], instruction="Segera tambal.")
    jatim.act(
        staff["jatim_pupr"],
        there,
        "follow_up",
        text="Lubang di ruas Slahung sudah ditambal Dinas PU provinsi.",
    )
    assert "federation_sent=3" in jatim.worker()  # verified, disposed, followed up: in that order
    ponorogo.worker()

    citizen = {"X-Access-Code": code}
    mine = ponorogo.report(citizen, number)
    assert mine["tracking_number"] == number and mine["status"] == "diteruskan"
    assert mine["forwarded_to"]["status"] == "ditindaklanjuti"
    assert any("sudah ditambal" in f["text"] for f in mine["follow_ups"])
    page = ponorogo.tracking_page(number, code)
    assert number in page and "sudah ditambal Dinas PU provinsi" in page

    # The citizen answers at Ponorogo; the province gets it, and its new state comes back.
    ponorogo.act(citizen, number, "relay", kind="reply", text="Sisi timur masih berlubang.")
    assert "federation_sent=1" in ponorogo.worker()
    assert jatim.report(staff["jatim"], there)["status"] == "ditanggapi_pelapor"
    jatim.worker()
    assert ponorogo.report(citizen, number)["forwarded_to"]["status"] == "ditanggapi_pelapor"

    year = dt.date.today().year
    origin = ponorogo.evaluation(year)
    assert origin["by_outcome"]["forwarded"] >= 1
    assert origin["by_outcome"]["forwarded_to"][PROVINCE] >= 1
    assert jatim.evaluation(year)["by_channel"]["instansi"] >= 1


def test_a_return_from_the_province_lands_on_the_origin_queue(
    pair: tuple[Instance, Instance], staff: dict[str, dict[str, str]]
) -> None:
    ponorogo, jatim = pair
    number, _code, there = forwarded(ponorogo, jatim, staff, title="Lampu jalan kampung mati")
    jatim.act(staff["jatim"], there, "return_to_origin", reason="Jalan kabupaten, bukan kewenangan provinsi.")
    assert "federation_sent=1" in jatim.worker()
    back = ponorogo.report(staff["ponorogo"], number)
    assert back["status"] == "terverifikasi" and back["forwarded_to"] is None
    assert back["step"] == "returned"  # on the coordinator's queue with its own deadline
    assert jatim.report(staff["jatim"], there)["status"] == "diteruskan"  # nobody handles it twice
    # The coordinator can act on it again (here: its own OPD).
    ponorogo.act(
        staff["ponorogo"], number, "dispose", lead="pupr", supporting=[], instruction="Jalan kabupaten."
    )


def test_a_forward_while_the_province_is_down_waits_and_arrives(
    pair: tuple[Instance, Instance], staff: dict[str, dict[str, str]]
) -> None:
    ponorogo, jatim = pair
    jatim.stop()
    try:
        number, _code = ponorogo.submit(title="Jembatan provinsi retak")
        ponorogo.act(staff["ponorogo"], number, "verify", **VERIFY)
        ponorogo.act(staff["ponorogo"], number, "forward", agency="35-pupr")
        assert "federation_retry=1" in ponorogo.worker()
        assert "tertunda=1" in ponorogo.aduan("peer", "list")
    finally:
        jatim.start()
    assert "federation_sent=1" in ponorogo.worker()
    jatim.worker()
    there = ponorogo.report(staff["ponorogo"], number)["forwarded_to"]["tracking_number"]
    assert jatim.report(staff["jatim"], there)["title"] == "Jembatan provinsi retak"
    assert "tertunda=0 gagal=0" in ponorogo.aduan("peer", "list")
