"""The evaluation documents as a reader sees them (issue 15 item 4): every row named, the reports
returned as bukan kewenangan included; every PDF table inside its page; XLSX sheet names whole and
regions named beside their codes."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from aduan.core import clock
from aduan.core.actors import Actor, actor_for_user
from aduan.core.roles import Role
from aduan.evaluation.documents import SHEET_NAMES, render_csv, render_pdf, render_xlsx
from aduan.evaluation.scenarios import SCENARIOS
from aduan.evaluation.stats import KABUPATEN, NO_AGENCY, NO_AGENCY_NAME, Period, evaluation_for
from tests.factories import PUPR, act, submit

MARGIN_PT = 1.8 / 2.54 * 72  # the PDF's left and right page margins (report_pdf.html)

COORDINATOR = Actor(role=Role.COORDINATOR)


@pytest.fixture
def evaluation_2022(koordinator, admin_pupr, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """The ponorogo-2022 scenario plus one report returned as bukan kewenangan in December and not
    disposed again: it has no lead OPD at the end of the year."""
    with django_capture_on_commit_callbacks(execute=True):
        SCENARIOS["ponorogo-2022"]()
    with clock.travel(timezone.make_aware(dt.datetime(2022, 12, 19, 9, 0))):
        coordinator = actor_for_user(koordinator)
        report = submit(title="Saluran air tersumbat di depan pasar").report
        act(
            coordinator, report, "verify", classification="pengaduan_tidak_berkadar_pengawasan", category=PUPR
        )
        act(coordinator, report, "dispose", lead="pupr", supporting=[], instruction="Mohon dicek.")
        act(
            actor_for_user(admin_pupr),
            report,
            "return",
            reason="Saluran di pasar dikelola Disperindag.",
            proposed_agency="dinkes",
        )
    period = Period.year(2022)
    return evaluation_for(period), period


def test_reports_without_a_lead_opd_get_a_named_row_everywhere(evaluation_2022) -> None:  # type: ignore[no-untyped-def]
    data, period = evaluation_2022
    assert data["total"] == 53
    assert data["by_agency"][NO_AGENCY] == {"name": NO_AGENCY_NAME, "short_name": "Belum ada OPD", "count": 1}
    assert "" not in data["by_agency"] and all(e["name"] for e in data["by_agency"].values())
    assert sum(e["count"] for e in data["by_agency"].values()) == data["by_outcome"]["disposed"]
    assert f"by_agency,{NO_AGENCY},{NO_AGENCY_NAME},1" in render_csv(data)

    book = load_workbook(io.BytesIO(render_xlsx(data, period, KABUPATEN, actor=COORDINATOR)))
    opd = book[SHEET_NAMES["opd"]]
    rows = [tuple(c.value for c in row) for row in opd.iter_rows(min_row=2)]
    assert (NO_AGENCY_NAME, 1, None) in rows  # no code: no OPD
    assert ("Dinas Pekerjaan Umum dan Penataan Ruang", 18, "pupr") in rows
    assert all(name for name, _, _ in rows)


def test_xlsx_sheet_names_are_whole_and_regions_are_named(evaluation_2022) -> None:  # type: ignore[no-untyped-def]
    data, period = evaluation_2022
    book = load_workbook(io.BytesIO(render_xlsx(data, period, KABUPATEN, actor=COORDINATOR)))
    assert all(len(name) <= 31 for name in SHEET_NAMES.values())
    assert set(SHEET_NAMES.values()) <= set(book.sheetnames)
    # Chosen to fit, not cut from a longer title (the old "Pengembalian bukan kewenangan per O").
    assert "Bukan kewenangan per OPD" in book.sheetnames
    assert all(
        book[name]["A1"].value[:31] != name or len(book[name]["A1"].value) <= 31
        for name in SHEET_NAMES.values()
    )
    kecamatan = book[SHEET_NAMES["kecamatan"]]  # the scenario's 21 and the returned report
    assert (kecamatan["A2"].value, kecamatan["B2"].value, kecamatan["C2"].value) == (
        "Ponorogo",
        22,
        "35.02.17",
    )
    desa = book["Desa"]
    assert [c.value for c in desa[1]] == ["Kode", "Desa/Kelurahan", "Kode kecamatan", "Kecamatan", "Jumlah"]
    for code, name, kecamatan_code, kecamatan_name, count in desa.iter_rows(min_row=2, values_only=True):
        assert code.startswith(kecamatan_code + ".") and name and kecamatan_name and count
    assert desa.max_row > 2


class _Words(HTMLParser):
    """pdftotext -bbox: the pages' widths and every word with its box."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[tuple[float, list[tuple[str, float, float]]]] = []
        self._word: list[float] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "page":
            self.pages.append((float(values["width"] or 0), []))
        elif tag == "word":
            self._word = [float(values["xmin"] or 0), float(values["xmax"] or 0)]

    def handle_data(self, data: str) -> None:
        if self._word is not None:
            self.pages[-1][1].append((data, *self._word))  # type: ignore[arg-type]
            self._word = None


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
def test_the_2022_pdf_keeps_every_table_inside_the_page_and_names_every_row(evaluation_2022) -> None:  # type: ignore[no-untyped-def]
    data, period = evaluation_2022
    pdf = render_pdf(data, period, KABUPATEN, actor=COORDINATOR)

    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True)
    words = _Words()
    words.feed(boxes.stdout.decode())
    assert len(words.pages) > 10
    outside = [
        (page, text, round(x_min), round(x_max), round(width))
        for page, (width, page_words) in enumerate(words.pages, start=1)
        for text, x_min, x_max in page_words
        if x_min < MARGIN_PT - 1 or x_max > width - MARGIN_PT + 1
    ]
    assert outside == []  # no text runs past the margins (where it would be clipped)

    layout = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    lines = layout.stdout.decode().splitlines()
    # A table row whose label is empty reads as a number alone on its line.
    assert [line for line in lines if re.fullmatch(r"\s*\d+\s*", line)] == []
    flat = re.sub(r"\s+", " ", layout.stdout.decode())
    assert re.search(rf"{NO_AGENCY_NAME} 1\b", flat)
    # The OPD table's note explains only columns the table has (it spoke of a missing "Kategori").
    page = flat[flat.index("Kinerja OPD Per OPD") : flat.index("Laporan yang diarsipkan")]
    note, table = page.split("dikembalikan OPD ke koordinator.", 1)
    for column in ("Tepat", "Kategori", "Bukan", "ditindak"):  # headers wrap: one word of each
        assert column in note and column in table, column
    assert re.search(r"(> 90%|50–90%|< 50%)", table)
