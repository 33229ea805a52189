"""The evaluation as documents: PDF (WeasyPrint, matplotlib SVG charts), XLSX (openpyxl), JSON, CSV.

The report is an Indonesian government document, so its prose is Bahasa Indonesia whatever the
UI language is. No document carries a reporter's phone, email or NIK; the XLSX report list names
a reporter only when the report is not anonymous, and the public CSV/JSON carry aggregates only.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
from typing import Any

from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_noop

from aduan.core.actors import Actor
from aduan.directory.models import Region
from aduan.directory.names import nice_category_name
from aduan.evaluation.facts import reports_submitted, scoped
from aduan.evaluation.stats import BANDS, MONTHS_ID, NO_AGENCY, NO_LOCATION, Period, Scope
from aduan.evaluation.text import TITLE, summary
from aduan.intake.models import ArchiveReason, Channel, Classification, ClosedBy, Kind, Status
from aduan.workflow.models import ReportEvent
from aduan.workflow.selectors import identity_visible_q, reports_visible_to

# Labels stay Indonesian in the documents (the annual report is an Indonesian document); pages
# translate them where they are shown (gettext_noop: in the catalogue, unchanged here).
CHANNEL_LABELS = {
    "web": gettext_noop("Website"),
    "mobile": gettext_noop("Aplikasi mobile (Android/iOS)"),
    **{k: str(v) for k, v in Channel.choices if k not in ("web", "mobile")},
}
CLASSIFICATION_LABELS = {k: str(v) for k, v in Classification.choices}
KIND_LABELS = {k: str(v) for k, v in Kind.choices}
STATUS_LABELS = {k: str(v) for k, v in Status.choices}
REASON_LABELS = {k: str(v) for k, v in ArchiveReason.choices}
CLOSED_BY_LABELS = {k: str(v) for k, v in ClosedBy.choices}
OUTCOME_LABELS = {
    "disposed": gettext_noop("Didisposisikan ke OPD"),
    "followed_up": gettext_noop("Ditindaklanjuti"),
    "completed": gettext_noop("Selesai"),
    "closed_by_system": gettext_noop("Ditutup oleh sistem"),
    "archived": gettext_noop("Diarsipkan"),
    "duplicates": gettext_noop("Duplikat"),
    "open": gettext_noop("Masih dalam proses"),
    "returned": gettext_noop("Pernah dikembalikan (bukan kewenangan)"),
    "reopened": gettext_noop("Dibuka kembali oleh pelapor"),
    "forwarded": gettext_noop("Diteruskan ke instansi lain (instalasi mitra)"),
}
TIME_LABELS = {
    "verify": gettext_noop("Sampai terverifikasi"),
    "first_follow_up": gettext_noop("Sampai tindak lanjut pertama"),
    "completion": gettext_noop("Sampai selesai"),
}


def month_label(key: str) -> str:
    """'2022-03' → 'Mar 2022'."""
    return f"{MONTHS_ID[int(key[5:7]) - 1][:3]} {key[:4]}"


# The XLSX sheet of each breakdown: Excel takes at most 31 characters, so each name is chosen to
# fit (tests/evaluation checks), never cut.
SHEET_NAMES = {
    "bulan": "Laporan per bulan",
    "kanal": "Kanal pengaduan",
    "jenis": "Jenis laporan (pilihan pelapor)",
    "klasifikasi": "Klasifikasi",
    "status": "Status saat ini",
    "hasil": "Hasil penanganan",
    "arsip": "Diarsipkan menurut alasan",
    "kategori": "Kategori (topik utama)",
    "subkategori": "Subkategori",
    "kecamatan": "Kecamatan (berurutan)",
    "opd": "OPD penanggung jawab utama",
    "penilaian": "Penilaian pelapor (bintang)",
    "bukan_kewenangan": "Bukan kewenangan per OPD",
}


def breakdowns(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each simple breakdown as (title, rows of (label, count), chart kind, XLSX sheet name, and for
    regions and agencies the code of each row); shared by PDF and XLSX."""
    sections = [
        ("bulan", "Laporan per bulan", [(month_label(m), n) for m, n in data["by_month"].items()], "column"),
        ("kanal", "Kanal pengaduan", [(CHANNEL_LABELS[c], n) for c, n in data["by_channel"].items()], "bar"),
        (
            "jenis",
            "Jenis laporan (pilihan pelapor)",
            [(KIND_LABELS[c], n) for c, n in data["by_kind"].items()],
            "donut",
        ),
        (
            "klasifikasi",
            "Klasifikasi",
            [(CLASSIFICATION_LABELS[c], n) for c, n in data["by_classification"].items()]
            + ([("Belum diklasifikasi", data["unclassified"])] if data["unclassified"] else []),
            "donut",
        ),
        ("status", "Status saat ini", [(STATUS_LABELS[c], n) for c, n in data["by_status"].items()], "bar"),
        (
            "hasil",
            "Hasil penanganan",
            [(OUTCOME_LABELS[c], data["by_outcome"][c]) for c in OUTCOME_LABELS],
            "bar",
        ),
        (
            "arsip",
            "Diarsipkan menurut alasan",
            [(REASON_LABELS[c], n) for c, n in data["by_outcome"]["archived_by_reason"].items()],
            "bar",
        ),
        (
            "kategori",
            "Kategori (topik utama)",
            [(nice_category_name(e["name"]), e["count"]) for e in data["by_category"].values()],
            "bar",
        ),
        (
            "subkategori",
            "Subkategori",
            sorted(
                (
                    (nice_category_name(s["name"]), s["count"])
                    for e in data["by_category"].values()
                    for s in e["sub"].values()
                ),
                key=lambda row: -row[1],
            ),
            "bar",
        ),
        (
            "kecamatan",
            "Kecamatan (berurutan)",
            [(e["name"], e["count"]) for e in data["by_kecamatan"].values()],
            "bar",
        ),
        (
            "opd",
            "OPD penanggung jawab utama",
            [(e["name"], e["count"]) for e in data["by_agency"].values()],
            "bar",
        ),
        (
            "penilaian",
            "Penilaian pelapor (bintang)",
            [(f"{s} bintang", n) for s, n in data["ratings"]["distribution"].items()],
            "bar",
        ),
        (
            "bukan_kewenangan",
            "Pengembalian bukan kewenangan per OPD",
            [(e["name"], e["count"]) for e in data["returns_by_agency"].values()],
            "bar",
        ),
    ]
    codes = {
        "kecamatan": [c if c != NO_LOCATION else "" for c in data["by_kecamatan"]],
        "opd": [c if c != NO_AGENCY else "" for c in data["by_agency"]],
        "bukan_kewenangan": list(data["returns_by_agency"]),
    }
    return [
        {"key": k, "title": t, "rows": rows, "chart": c, "sheet": SHEET_NAMES[k], "codes": codes.get(k)}
        for k, t, rows, c in sections
    ]


# --- charts -------------------------------------------------------------------------------------


_chart_serial = 0


def chart_svg(rows: list[tuple[str, int]], kind: str = "bar", *, width: float = 6.3) -> str:
    """A small matplotlib chart as inline SVG (text as paths, so any PDF renderer shows it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if kind != "column":
        rows = [(label, n) for label, n in rows if n] or [("(tidak ada data)", 0)]
    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8, "svg.fonttype": "path"})
    colours = [
        "#0b5394",
        "#3d85c6",
        "#6fa8dc",
        "#e69138",
        "#6aa84f",
        "#cc0000",
        "#674ea7",
        "#45818e",
        "#bf9000",
    ]
    if kind == "column":
        fig, ax = plt.subplots(figsize=(width, 2.2))
        bars = ax.bar([label for label, _ in rows], [n for _, n in rows], color="#0b5394")
        ax.bar_label(bars, padding=2)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(axis="x", labelrotation=45)
    elif kind == "donut" and any(n for _, n in rows):
        fig, ax = plt.subplots(figsize=(width, 2.4))
        ax.pie(
            [n for _, n in rows],
            labels=[f"{label} ({n})" for label, n in rows],
            colors=colours[: len(rows)],
            wedgeprops={"width": 0.4},
            startangle=90,
        )
        ax.axis("equal")
    else:
        rows = rows[:25]
        fig, ax = plt.subplots(figsize=(width, 0.3 * len(rows) + 0.6))
        labels = [label if len(label) <= 48 else label[:46] + "…" for label, _ in rows][::-1]
        values = [n for _, n in rows][::-1]
        bars = ax.barh(labels, values, color="#0b5394")
        ax.bar_label(bars, padding=2)
        ax.spines[["top", "right"]].set_visible(False)
        ax.xaxis.set_visible(False)
        ax.set_xlim(0, max(values + [1]) * 1.15)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    # Several charts share one HTML page: give each its own ids (glyphs, clip paths).
    global _chart_serial
    _chart_serial += 1
    prefix = f"c{_chart_serial}-"
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    return re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)


# --- report lists ---------------------------------------------------------------------------------


def archived_reports(
    period: Period, scope: Scope, *, actor: Actor, limit: int | None = None
) -> list[dict[str, Any]]:
    """The archived reports of the period with their reasons (titles of confidential ones hidden),
    read through `actor`'s selector (an anonymous report's title masked for whom may not know)."""
    reports = scoped(
        reports_submitted(period.start, period.end, reports_visible_to(actor)), scope.key
    ).filter(status=Status.DIARSIPKAN)
    chosen = list(reports.select_related("duplicate_of").order_by("submitted_at", "pk")[:limit])
    notes = dict(
        ReportEvent.objects.filter(report__in=[r.pk for r in chosen], to_status=Status.DIARSIPKAN)
        .order_by("report_id", "created_at")
        .values_list("report_id", "note")
    )
    rows = []
    for report in chosen:
        reason = REASON_LABELS.get(report.archive_reason, report.archive_reason)
        if report.duplicate_of_id:
            reason += f" ({report.duplicate_of.tracking_number})"  # type: ignore[union-attr]
        rows.append(
            {
                "tracking_number": report.tracking_number,
                "submitted": timezone.localtime(report.submitted_at).date(),
                "title": "(laporan rahasia)" if report.is_confidential else report.display_title,
                "reason": reason,
                "note": "" if report.is_confidential else notes.get(report.pk, ""),
            }
        )
    return rows


def report_list_rows(period: Period, scope: Scope, *, actor: Actor) -> list[list[Any]]:
    """Every report of the period for the XLSX list: no phone, email or NIK; a reporter's name only
    where the console would show `actor` the reporter (identity_visible_q, the one identity rule),
    and never of an anonymous report."""
    reports = (
        scoped(reports_submitted(period.start, period.end, reports_visible_to(actor)), scope.key)
        .select_related("category", "kecamatan", "desa", "lead_agency")
        # Only the name, and only where the identity rule allows it: enforced in the query, since
        # OPD admins and pimpinan download the list too (DOMAIN.md §6). A file travels further than
        # a screen: it never names an anonymous reporter, not even in the coordinator's copy.
        .annotate(
            reporter_name=Case(
                When(
                    Q(is_anonymous=False) & identity_visible_q(actor),
                    then=Coalesce(F("reporter__name"), Value("")),
                ),
                default=Value(""),
            )
        )
        .order_by("submitted_at")
    )
    rows = []
    for r in reports.iterator(chunk_size=2000):
        reporter = r.reporter_name
        rows.append(
            [
                r.tracking_number,
                timezone.localtime(r.submitted_at).replace(tzinfo=None),
                CHANNEL_LABELS.get(r.channel, r.channel),
                KIND_LABELS.get(r.kind, r.kind),
                CLASSIFICATION_LABELS.get(r.classification, ""),
                r.category.name if r.category else "",
                r.kecamatan.name if r.kecamatan else "",
                r.desa.name if r.desa else "",
                STATUS_LABELS.get(r.status, r.status),
                r.lead_agency.name if r.lead_agency else "",
                REASON_LABELS.get(r.archive_reason, ""),
                "(rahasia)" if r.is_confidential else r.display_title,
                reporter or ("anonim" if r.is_anonymous else "—"),
            ]
        )
    return rows


# --- PDF ------------------------------------------------------------------------------------------


def render_pdf(data: dict[str, Any], period: Period, scope: Scope, *, actor: Actor) -> bytes:
    import logging

    # Before the import: WeasyPrint logs its progress (and parses its own CSS) at import time.
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML

    sections = breakdowns(data)
    for section in sections:
        # As an <img> data URI: WeasyPrint then draws it with its SVG renderer, not as HTML.
        section["svg_uri"] = (
            "data:image/svg+xml;base64,"
            + base64.b64encode(chart_svg(section["rows"], section["chart"]).encode()).decode()
        )
    context = {
        "title": TITLE,
        "data": data,
        "summary": summary(data),
        "sections": sections,
        "times": [
            {
                "label": TIME_LABELS[key],
                **value,
                "by": [(CLASSIFICATION_LABELS[c], v) for c, v in value["by_classification"].items()],
            }
            for key, value in data["times_working_days"].items()
        ],
        "deadlines": [
            {"label": CLASSIFICATION_LABELS[c], **v} for c, v in data["within_deadline"]["follow_up"].items()
        ],
        "league": [
            {**row, "band_label": BANDS[row["band"]].label if row["band"] in BANDS else "–"}
            for row in data["league"]
        ],
        "archived": archived_reports(period, scope, actor=actor),
        "printed": timezone.localtime(),
    }
    html = render_to_string("evaluation/report_pdf.html", context)
    return HTML(string=html).write_pdf()


# --- XLSX -----------------------------------------------------------------------------------------


def render_xlsx(data: dict[str, Any], period: Period, scope: Scope, *, actor: Actor) -> bytes:
    """The evaluation workbook; its "Daftar laporan" names reporters as the console shows `actor`."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, PieChart, Reference
    from openpyxl.styles import Font

    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Ringkasan"
    ws.append([TITLE])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([data["installation"]])
    ws.append(["Periode", data["period"]["label"], data["period"]["start"], data["period"]["end"]])
    ws.append(["Cakupan", data["scope"]["name"]])
    ws.append([])
    ws.append(["Ringkasan", summary(data)])
    ws.append([])
    for label, value in [
        ("Jumlah laporan", data["total"]),
        ("Didisposisikan", data["by_outcome"]["disposed"]),
        ("Ditindaklanjuti", data["by_outcome"]["followed_up"]),
        ("Selesai", data["by_outcome"]["completed"]),
        ("Diarsipkan", data["by_outcome"]["archived"]),
        ("Persentase tindak lanjut (%)", data["resolution"]["share"]),
        ("Kategori capaian nasional", data["resolution"]["band"]["label"]),
        ("Rata-rata penilaian", data["ratings"]["average"]),
        ("Tingkat dibuka kembali (%)", data["reopen"]["rate"]),
    ]:
        ws.append([label, value])
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 60

    for section in breakdowns(data):
        sheet = wb.create_sheet(section["sheet"])
        codes = section["codes"]
        # Regions and agencies: the code beside the name (after the count, which the chart reads).
        sheet.append([section["title"], "Jumlah", *(["Kode"] if codes is not None else [])])
        for cell in sheet[1]:
            cell.font = bold
        for i, (label, n) in enumerate(section["rows"]):
            sheet.append([label, n, *([codes[i]] if codes is not None else [])])
        sheet.column_dimensions["A"].width = 48
        sheet.column_dimensions["C"].width = 16
        n_rows = len(section["rows"])
        if n_rows:
            chart: Any = PieChart() if section["chart"] == "donut" else BarChart()
            if isinstance(chart, BarChart):
                chart.type = "col" if section["chart"] == "column" else "bar"
                chart.legend = None
            chart.title = section["title"]
            chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=n_rows + 1), titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=n_rows + 1))
            chart.height = max(7.5, 0.5 * n_rows + 3)
            sheet.add_chart(chart, "E2")

    sheet = wb.create_sheet("Desa")
    sheet.append(["Kode", "Desa/Kelurahan", "Kode kecamatan", "Kecamatan", "Jumlah"])
    kecamatan_names = {code: e["name"] for code, e in data["by_kecamatan"].items()}
    missing = {e["kecamatan"] for e in data["by_desa"].values()} - set(kecamatan_names)
    kecamatan_names.update(Region.objects.filter(code__in=missing).values_list("code", "name"))
    for code, e in data["by_desa"].items():
        sheet.append([code, e["name"], e["kecamatan"], kecamatan_names.get(e["kecamatan"], ""), e["count"]])
    for cell in sheet[1]:
        cell.font = bold
    sheet.column_dimensions["B"].width = sheet.column_dimensions["D"].width = 28

    sheet = wb.create_sheet("Waktu (hari kerja)")
    sheet.append(["Tahap", "Klasifikasi", "n", "Median", "P90", "Rata-rata"])
    for key, value in data["times_working_days"].items():
        sheet.append([TIME_LABELS[key], "Semua", value["n"], value["median"], value["p90"], value["mean"]])
        for cls, v in value["by_classification"].items():
            sheet.append(
                [TIME_LABELS[key], CLASSIFICATION_LABELS[cls], v["n"], v["median"], v["p90"], v["mean"]]
            )

    sheet = wb.create_sheet("Kepatuhan tenggat")
    sheet.append(["Tahap", "Batas (hari kerja)", "Tepat waktu", "Terlambat", "% tepat waktu"])
    v = data["within_deadline"]["verification"]
    sheet.append(
        ["Verifikasi dan disposisi", v["limit_working_days"], v["within"], v["late"], v["share_within"]]
    )
    for cls, v in data["within_deadline"]["follow_up"].items():
        sheet.append(
            [
                f"Tindak lanjut: {CLASSIFICATION_LABELS[cls]}",
                v["limit_working_days"],
                v["within"],
                v["late"],
                v["share_within"],
            ]
        )

    sheet = wb.create_sheet("Peringkat OPD")
    sheet.append(
        [
            "Peringkat",
            "OPD",
            "Laporan",
            "Ditindaklanjuti",
            "Selesai",
            "Tepat waktu",
            "Terlambat",
            "% ditindaklanjuti",
            "% tepat waktu",
            "Bukan kewenangan",
            "Rata-rata penilaian",
        ]
    )
    for row in data["league"]:
        sheet.append(
            [
                row["rank"],
                row["name"],
                row["total"],
                row["followed_up"],
                row["completed"],
                row["within_deadline"],
                row["late"],
                row["share_followed_up"],
                row["share_within_deadline"],
                row["returns"],
                row["rating_average"],
            ]
        )

    sheet = wb.create_sheet("Laporan diarsipkan")
    sheet.append(["Nomor", "Diterima", "Judul", "Alasan", "Keterangan"])
    for a in archived_reports(period, scope, actor=actor):
        sheet.append([a["tracking_number"], a["submitted"], a["title"], a["reason"], a["note"]])

    sheet = wb.create_sheet("Daftar laporan")
    sheet.append(
        [
            "Nomor",
            "Diterima",
            "Kanal",
            "Jenis",
            "Klasifikasi",
            "Kategori",
            "Kecamatan",
            "Desa/Kelurahan",
            "Status",
            "OPD utama",
            "Alasan arsip",
            "Judul",
            "Pelapor",
        ]
    )
    for row in report_list_rows(period, scope, actor=actor):
        sheet.append(row)
    for header in ("A1", "B1", "C1", "D1", "E1", "F1", "G1", "H1", "I1", "J1", "K1", "L1", "M1"):
        sheet[header].font = bold
    # openpyxl stores any text starting with "=" as a formula: a citizen's title or name must show as
    # typed, never run in the reader's spreadsheet (formula injection). We write no formulas ourselves.
    for each in wb.worksheets:
        for cells in each.iter_rows():
            for cell in cells:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- JSON and CSV -----------------------------------------------------------------------------------


def _default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(type(value))


def render_json(data: dict[str, Any]) -> bytes:
    return json.dumps(
        {**data, "summary": summary(data)}, ensure_ascii=False, indent=2, default=_default
    ).encode()


def render_csv(data: dict[str, Any]) -> str:
    """Open data: one row per (breakdown, key) with its name and count."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period_start", "period_end", "scope", "breakdown", "key", "name", "count"])
    head = [
        data["period"]["start"],
        data["period"]["end"],
        data["scope"]["kind"] + (":" + data["scope"]["code"] if data["scope"]["code"] else ""),
    ]
    writer.writerow([*head, "total", "", "Jumlah laporan", data["total"]])
    simple = {
        "by_channel": CHANNEL_LABELS,
        "by_kind": KIND_LABELS,
        "by_classification": CLASSIFICATION_LABELS,
        "by_status": STATUS_LABELS,
    }
    for name, labels in simple.items():
        for key, n in data[name].items():
            writer.writerow([*head, name, key, labels.get(key, key), n])
    for key, label in OUTCOME_LABELS.items():
        writer.writerow([*head, "by_outcome", key, label, data["by_outcome"][key]])
    for key, n in data["by_outcome"]["archived_by_reason"].items():
        writer.writerow([*head, "archived_by_reason", key, REASON_LABELS[key], n])
    for code, e in data["by_category"].items():
        writer.writerow([*head, "by_category", code, e["name"], e["count"]])
        for sub_code, s in e["sub"].items():
            writer.writerow([*head, "by_subcategory", sub_code, s["name"], s["count"]])
    for name in ("by_kecamatan", "by_desa", "by_agency", "returns_by_agency"):
        for code, e in data[name].items():
            writer.writerow([*head, name, code, e["name"], e["count"]])
    return out.getvalue()
