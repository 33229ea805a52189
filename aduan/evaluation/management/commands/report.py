"""`aduan report --year 2022 --format pdf|xlsx|json|csv -o FILE`: the Laporan Evaluasi."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.core.actors import Actor
from aduan.core.errors import DomainError
from aduan.core.roles import Role
from aduan.evaluation.documents import render_csv, render_json, render_pdf, render_xlsx
from aduan.evaluation.stats import Period, Scope, evaluation_for


class Command(BaseCommand):
    help = (
        "Write the evaluation report (Laporan Evaluasi SP4N-LAPOR!) for a period as PDF, XLSX, JSON or CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="year (default: this year)")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
        parser.add_argument("--month", type=int, choices=range(1, 13), metavar="1-12")
        parser.add_argument("--from", dest="date_from", help="custom range start, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="custom range end (inclusive), YYYY-MM-DD")
        parser.add_argument("--agency", help="limit to one OPD (agency code, e.g. dinkes)")
        parser.add_argument("--kecamatan", help="limit to one kecamatan (Kemendagri code, e.g. 35.02.17)")
        parser.add_argument("--format", choices=["pdf", "xlsx", "json", "csv"], default="json")
        parser.add_argument("-o", "--output", help="file to write (default: standard output for json/csv)")
        parser.add_argument(
            "--raw", action="store_true", help="count from the raw tables, not the pre-aggregated counts"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        params = {
            k: str(options[k]) for k in ("year", "quarter", "month", "date_from", "date_to") if options.get(k)
        }
        try:
            period = Period.from_params(params)
            if options.get("agency"):
                scope = Scope.parse("agency", options["agency"])
            elif options.get("kecamatan"):
                scope = Scope.parse("kecamatan", options["kecamatan"])
            else:
                scope = Scope()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        data = evaluation_for(period, scope, use_counts=not options["raw"])
        fmt = options["format"]
        # The operator runs the coordinator's annual evaluation: the coordinator's view of names.
        coordinator = Actor(role=Role.COORDINATOR, label="aduan report")
        content: bytes
        if fmt == "pdf":
            content = render_pdf(data, period, scope, actor=coordinator)
        elif fmt == "xlsx":
            content = render_xlsx(data, period, scope, actor=coordinator)
        elif fmt == "csv":
            content = render_csv(data).encode()
        else:
            content = render_json(data)
        output = options.get("output")
        if not output or output == "-":
            if fmt in ("pdf", "xlsx"):
                raise CommandError("PDF and XLSX need -o FILE.")
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.write(b"\n")
            return
        with open(output, "wb") as fh:
            fh.write(content)
        self.stderr.write(
            f"{output}: {data['period']['label']}, {data['total']} laporan ({len(content):,} bytes)"
        )
