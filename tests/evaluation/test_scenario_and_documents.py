"""The ponorogo-2022 scenario reproduces the seed's figures, and every document states them."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from aduan.core.actors import Actor
from aduan.core.roles import Role
from aduan.evaluation.documents import render_csv, render_json, render_pdf, render_xlsx
from aduan.evaluation.scenarios import SCENARIOS
from aduan.evaluation.stats import KABUPATEN, Period, evaluation_for
from aduan.intake.models import Report, Reporter
from aduan.workflow.models import Disposition, ReportEvent

SEED_SENTENCE = "Sebanyak 46 laporan melalui kanal website, lima melalui aplikasi mobile (Android), dan satu laporan melalui SMS."


@pytest.mark.django_db
def test_ponorogo_2022_scenario_reproduces_the_seed(tmp_path, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        reports = SCENARIOS["ponorogo-2022"]()
    assert len(reports) == 52
    # Idempotent: a second load adds nothing.
    assert len(SCENARIOS["ponorogo-2022"]()) == 52
    assert Report.objects.count() == 52
    # Everything it created is dated 2022, through the real lifecycle (events for every step).
    assert all(timezone.localtime(r.submitted_at).year == 2022 for r in Report.objects.all())
    assert not ReportEvent.objects.exclude(created_at__year=2022).exists()
    assert ReportEvent.objects.filter(action="submit").count() == 52
    assert ReportEvent.objects.filter(action="dispose").count() == 51  # one report disposed twice (returned)
    berkadar = Report.objects.filter(classification="pengaduan_berkadar_pengawasan")
    assert (
        Disposition.objects.filter(report__in=berkadar, agency__code="inspektorat", is_active=True).count()
        == 3
    )

    out = tmp_path / "2022.json"
    call_command("report", year=2022, format="json", output=str(out))
    data = json.loads(out.read_text())
    assert data["total"] == 52
    assert data["by_channel"] == {
        "web": 46,
        "mobile": 5,
        "sms": 1,
        "email": 0,
        "whatsapp": 0,
        "api": 0,
        "staff": 0,
        "instansi": 0,
    }
    assert data["by_classification"]["pengaduan_berkadar_pengawasan"] == 3
    assert sum(data["by_classification"].values()) == 52
    assert all(data["by_classification"][c] > 0 for c in data["by_classification"])
    assert data["by_outcome"]["disposed"] == 50
    assert data["by_outcome"]["followed_up"] == 50
    assert data["by_outcome"]["completed"] == 50
    assert data["by_outcome"]["archived"] == 2
    assert data["by_kecamatan"]["35.02.17"] == {"name": "Ponorogo", "count": 21}
    assert sum(e["count"] for e in data["by_kecamatan"].values()) == 52
    assert max(e["count"] for c, e in data["by_kecamatan"].items() if c != "35.02.17") < 21
    assert set(data["by_category"]) == {
        "kesehatan",
        "pekerjaan-umum-dan-penataan-ruang",
        "sosial-dan-kesejahteraan",
        "ketenteraman-ketertiban-umum-dan-pelindungan-masyarakat",
    }
    assert "reklame-dan-spanduk-ilegal" in "".join(
        data["by_category"]["ketenteraman-ketertiban-umum-dan-pelindungan-masyarakat"]["sub"]
    )
    assert SEED_SENTENCE in data["summary"]
    # The raw path gives the same figures.
    raw = evaluation_for(Period.year(2022), use_counts=False)
    assert {k: raw[k] for k in ("by_channel", "by_outcome", "by_kecamatan")} == {
        k: data[k] for k in ("by_channel", "by_outcome", "by_kecamatan")
    }

    # PDF: it opens and its text states the summary.
    period = Period.year(2022)
    pdf = render_pdf(data, period, KABUPATEN, actor=Actor(role=Role.COORDINATOR))
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        flat = re.sub(r"\s+", " ", text)
        assert "Laporan Evaluasi SP4N-LAPOR!" in flat
        assert SEED_SENTENCE in flat
        assert "Kecamatan Ponorogo, yaitu 21 laporan" in flat
        assert "tiga laporan merupakan pengaduan berkadar pengawasan" in flat
        assert (
            "Sebanyak 50 laporan telah didisposisikan kepada OPD teknis dan ditindaklanjuti, sedangkan dua laporan diarsipkan"
            in flat
        )

    # XLSX: opens, one sheet per breakdown plus the report list; no personal data of anonymous reporters.
    book = load_workbook(io.BytesIO(render_xlsx(data, period, KABUPATEN, actor=Actor(role=Role.COORDINATOR))))
    for sheet in (
        "Ringkasan",
        "Kanal pengaduan",
        "Klasifikasi",
        "Kecamatan (berurutan)",
        "Peringkat OPD",
        "Daftar laporan",
    ):
        assert sheet in book.sheetnames
    assert book["Kanal pengaduan"]["B2"].value == 46
    listing = book["Daftar laporan"]
    assert listing.max_row == 53
    cells = " ".join(
        str(c)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if c is not None
    )
    values = {
        str(c)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if c is not None
    }
    reporter_column = {row[0]: row[12] for row in listing.iter_rows(min_row=2, values_only=True)}
    anonymous = Report.objects.filter(is_anonymous=True).select_related("reporter")
    assert anonymous.exists()
    for report in anonymous:
        assert reporter_column[report.tracking_number] == "anonim"
        if report.reporter is not None and report.reporter.name:
            assert report.reporter.name not in values
    named = (
        Report.objects.filter(is_anonymous=False, reporter__name__gt="").select_related("reporter").first()
    )
    assert named is not None and reporter_column[named.tracking_number] == named.reporter.name  # type: ignore[union-attr]
    for reporter in Reporter.objects.all():
        for value in (reporter.phone, reporter.email, reporter.nik):
            if value:
                assert value not in cells

    # Public outputs carry no personal data at all.
    public = render_json(data).decode() + render_csv(data)
    for reporter in Reporter.objects.all():
        for value in (reporter.name, reporter.phone, reporter.email, reporter.nik):
            if value:
                assert value not in public


@pytest.mark.django_db
def test_scenario_users_are_stamped_by_the_one_clock() -> None:
    import datetime as dt

    from aduan.core import clock
    from aduan.core.roles import Role
    from aduan.evaluation.scenarios import _user

    moment = timezone.make_aware(dt.datetime(2026, 11, 2, 9, 30))
    with clock.travel(moment):
        user = _user("saksi-opd", Role.OPD_ADMIN, "dishub", None)
    assert dt.timedelta(0) <= user.date_joined - moment < dt.timedelta(minutes=1)
