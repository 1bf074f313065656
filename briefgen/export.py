"""The claims register as rows, for people who work in spreadsheets (CSV, XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import BinaryIO

from briefgen.analyse import Analysis, best_reliability
from briefgen.load import Project
from briefgen.numbers import written_numbers

COLUMNS = ("id", "statement", "claimant", "claimant_kind", "kind", "subject", "value", "unit", "bound",
           "value_display", "period", "as_of", "status", "status_explanation", "conflicts_with",
           "superseded_by", "independent_sources", "sources", "grade", "credibility", "confidence", "events", "tags", "quotes")


def register_rows(project: Project, analysis: Analysis) -> list[dict]:
    """One row per claim: stored fields plus status, sources and grade."""
    rows = []
    for v in analysis.claims:
        c = v.claim
        srcs = sorted({x.source for x in c.citations})
        best = best_reliability(project, c)
        rows.append({
            "id": c.id, "statement": c.statement, "claimant": c.claimant, "claimant_kind": c.claimant_kind,
            "kind": c.kind, "subject": c.subject, "value": _value(c), "unit": c.unit, "bound": c.bound,
            "value_display": v.value_display, "period": c.period, "as_of": c.as_of,
            "status": v.status, "status_explanation": v.explanation, "conflicts_with": "; ".join(v.rivals),
            "superseded_by": "; ".join(v.superseded_by),
            "independent_sources": len(v.origins), "sources": "; ".join(project.sources[s].label for s in srcs),
            "grade": f"{best}{c.credibility or ''}", "credibility": c.credibility, "confidence": c.confidence,
            "events": "; ".join(c.events), "tags": "; ".join(c.tags),
            "quotes": " | ".join(f"{project.sources[x.source].label}: {x.quote}" for x in c.citations),
        })
    return rows


def _value(claim) -> object:
    """A number stays a number (value_display has it as written); a range reads "20–25"."""
    if isinstance(claim.value, list):
        return "–".join(written_numbers(claim) or ())
    return float(claim.value) if isinstance(claim.value, float) else claim.value


def _cell(value) -> object:
    """CSV-safe: text that a spreadsheet would run as a formula is prefixed with '. An
    .xlsx cell says it holds text, so :func:`write_xlsx` writes the text as it is."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def write_csv(rows: list[dict], out: BinaryIO) -> None:
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row[k]) for k in COLUMNS})
    out.write(text.getvalue().encode("utf-8-sig"))


def write_xlsx(rows: list[dict], out: BinaryIO, title: str, date: dt.date) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from briefgen.zipstamp import restamp_zip

    wb = Workbook()
    ws = wb.active
    ws.title = "Claims register"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1B365D")
    for row in rows:
        ws.append(["" if row[k] is None else row[k] for k in COLUMNS])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"    # text, as written: openpyxl took it for a formula
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    for col, width in zip("ABCDEFGHIJKLMNOPQRSTUVWX", (18, 60, 24, 12, 12, 30, 10, 10, 9, 14, 16, 12, 14, 50,
                                                      20, 20, 8, 30, 7, 8, 10, 20, 20, 80)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.properties.title = title
    wb.properties.creator = "briefgen"
    when = dt.datetime(date.year, date.month, date.day)
    wb.properties.created = wb.properties.modified = when
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def fix(name: str, data: bytes) -> bytes:  # openpyxl sets "modified" to now on save
        if name != "docProps/core.xml":
            return data
        return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)

    restamp_zip(buffer, out, date, fix)
