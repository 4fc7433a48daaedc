"""The batch overview: ``OUTDIR/index.html`` (sortable, self-contained) and ``OUTDIR/summary.csv``.

Why both: the HTML page is what a clinician opens (one row per clip, click a
header to sort, a link to each clip's report, failures with their reason); the
CSV is what goes into a spreadsheet or a squad database. Both are rewritten
atomically after every finished clip, so an interrupted run still has a true
overview and a reader never sees half a file.

Numbers come from each clip's ``report.json`` (the source of truth), read once
per clip by :func:`clip_row`.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from valgus.analysis.flags import NOT_MEASURABLE, VERDICTS
from valgus.batch.manifest import REPORT_NAME
from valgus.outputs.input_record import write_text_atomic
from valgus.session import DISCLAIMER

INDEX_NAME = "index.html"
CSV_NAME = "summary.csv"
STATUSES = ("done", "failed", "not analysed")
# Severity used to sort verdicts and to pick the worst one of a clip.
VERDICT_RANK = {NOT_MEASURABLE: 0, **{word: i + 1 for i, word in enumerate(VERDICTS)}}

CSV_COLUMNS = (
    "clip",
    "status",
    "movement",
    "reps",
    "mean_fppa_left_deg",
    "mean_fppa_right_deg",
    "worst_rep_fppa_left_deg",
    "worst_rep_fppa_right_deg",
    "pelvic_drop_deg_max",
    "verdict_left",
    "verdict_right",
    "pelvic_verdict",
    "verdict",
    "warnings",
    "model",
    "error",
    "exit_code",
    "folder",
    "report",
    "input_path",
)
# (key, header, kind): kind "num" sorts numerically, "rank" by verdict severity.
HTML_COLUMNS = (
    ("clip", "Clip", "text"),
    ("status", "Status", "text"),
    ("movement", "Movement", "text"),
    ("reps", "Reps", "num"),
    ("mean_fppa_left_deg", "FPPA left (°)", "num"),
    ("mean_fppa_right_deg", "FPPA right (°)", "num"),
    ("pelvic_drop_deg_max", "Pelvic drop max (°)", "num"),
    ("verdict_left", "Left knee", "rank"),
    ("verdict_right", "Right knee", "rank"),
    ("pelvic_verdict", "Pelvis", "rank"),
    ("verdict", "Verdict", "rank"),
    ("report", "Report", "text"),
    ("error", "Error", "text"),
)


# What the FPPA columns hold, said under the table: a coach reads the number beside the
# knee's verdict as the one it grades.
COLUMN_NOTE = (
    "FPPA: the mean over reps of each knee's angle at the rep bottom, the number its "
    "verdict grades (worst rep in summary.csv). A dash: no angle was read, as in a squat "
    "deeper than 50° of knee bend, where the verdict rests on how far apart the knees stay."
)


def worst_verdict(words: Sequence[str | None]) -> str:
    """The most severe of a clip's verdicts; "not measurable" only if nothing was measured."""
    known = [w for w in words if w in VERDICT_RANK]
    return max(known, key=VERDICT_RANK.__getitem__) if known else NOT_MEASURABLE


def _report_link(folder: Path) -> str | None:
    """report.html when it exists (it will soon), else report.json; relative to OUTDIR."""
    for name in ("report.html", REPORT_NAME):
        if (folder / name).is_file():
            return f"{folder.name}/{name}"
    return None


def clip_row(
    *,
    clip: str,
    input_path: str,
    folder: Path,
    status: str,
    error: str | None = None,
    exit_code: int | None = None,
) -> dict[str, Any]:
    """One overview row; for a done clip the numbers are read from its report.json."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
    if error and error.startswith(f"{input_path}: "):  # the row names the clip already
        error = error[len(input_path) + 2 :]
    row: dict[str, Any] = dict.fromkeys(CSV_COLUMNS)
    row.update(
        clip=clip,
        input_path=input_path,
        folder=folder.name,
        status=status,
        error=error,
        exit_code=exit_code,
    )
    if status != "done":
        return row
    report = json.loads((folder / REPORT_NAME).read_text(encoding="utf-8"))
    summary = report.get("summary") or {}
    left, right = summary.get("left") or {}, summary.get("right") or {}
    row.update(
        movement=report.get("movement"),
        reps=len(report.get("reps") or []),
        mean_fppa_left_deg=left.get("mean_fppa_deg"),
        mean_fppa_right_deg=right.get("mean_fppa_deg"),
        worst_rep_fppa_left_deg=left.get("worst_rep_fppa_deg"),
        worst_rep_fppa_right_deg=right.get("worst_rep_fppa_deg"),
        pelvic_drop_deg_max=summary.get("pelvic_drop_deg_max"),
        verdict_left=left.get("verdict"),
        verdict_right=right.get("verdict"),
        pelvic_verdict=summary.get("pelvic_verdict"),
        warnings="; ".join((report.get("quality") or {}).get("warnings") or []),
        model=report.get("model"),
        report=_report_link(folder),
        exit_code=0,
    )
    row["verdict"] = worst_verdict(
        [row["verdict_left"], row["verdict_right"], row["pelvic_verdict"]]
    )
    return row


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def summary_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as CSV text (empty cells for unknown values)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in CSV_COLUMNS})
    return buffer.getvalue()


def _cell(key: str, kind: str, row: Mapping[str, Any]) -> str:
    value = row.get(key)
    if key == "report":
        if not value:
            return "<td></td>"
        href = html.escape(urllib.parse.quote(str(value)), quote=True)
        return f'<td><a href="{href}">{html.escape(Path(str(value)).name)}</a></td>'
    if kind == "num":
        number = _number(value)
        if number is None:
            return '<td class="num" data-v="">–</td>'
        shown = f"{number:.0f}" if key == "reps" else f"{number:.1f}"
        return f'<td class="num" data-v="{number}">{shown}</td>'
    if kind == "rank":
        if value is None:
            return '<td data-v=""></td>'
        rank = VERDICT_RANK.get(str(value), 0)
        css = f"v{rank}"
        return f'<td class="{css}" data-v="{rank}">{html.escape(str(value))}</td>'
    text = "" if value is None else str(value)
    title = f' title="{html.escape(str(row.get("input_path") or ""))}"' if key == "clip" else ""
    return f'<td data-v="{html.escape(text)}"{title}>{html.escape(text)}</td>'


def _table(rows: Sequence[Mapping[str, Any]]) -> str:
    head = "".join(
        f'<th data-kind="{kind}"><button type="button">{html.escape(label)}</button></th>'
        for _, label, kind in HTML_COLUMNS
    )
    body = "\n".join(
        f'<tr class="{html.escape(str(row["status"]).replace(" ", "-"))}">'
        + "".join(_cell(key, kind, row) for key, _, kind in HTML_COLUMNS)
        + "</tr>"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return {status: sum(1 for r in rows if r["status"] == status) for status in STATUSES}


def index_html(rows: Sequence[Mapping[str, Any]], *, title: str) -> str:
    """The overview page: one self-contained file (inline CSS and script, no server)."""
    counts = _counts(rows)
    failed = "".join(
        f"<li><b>{html.escape(str(r['clip']))}</b>: {html.escape(str(r['error'] or ''))}</li>"
        for r in rows
        if r["status"] == "failed"
    )
    failures = f'<section class="failures"><h2>Failed</h2><ul>{failed}</ul></section>'
    failures = failures if failed else ""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    counts_text = ", ".join(f"{n} {status}" for status, n in counts.items())
    return _PAGE.format(
        title=html.escape(title),
        counts=html.escape(f"{len(rows)} clips: {counts_text}"),
        stamp=stamp,
        column_note=html.escape(COLUMN_NOTE),
        disclaimer=html.escape(DISCLAIMER),
        failures=failures,
        table=_table(rows),
        script=_SCRIPT,
    )


def write_overview(out_dir: Path, rows: Sequence[Mapping[str, Any]], *, title: str) -> None:
    """Rewrite ``index.html`` and ``summary.csv`` in ``out_dir`` atomically."""
    write_text_atomic(out_dir / CSV_NAME, summary_csv(rows))
    write_text_atomic(out_dir / INDEX_NAME, index_html(rows, title=title))


# Sort by the clicked column (again: reverse). Cells carry their sort value in data-v;
# empty values stay last in both directions.
_SCRIPT = """
for (const th of document.querySelectorAll("thead th")) {
  th.querySelector("button").addEventListener("click", () => {
    const table = th.closest("table"), body = table.tBodies[0];
    const col = [...th.parentElement.children].indexOf(th);
    const text = th.dataset.kind === "text";
    const dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    for (const other of th.parentElement.children) other.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    const key = (row) => row.cells[col].dataset.v ?? row.cells[col].textContent.trim();
    const rows = [...body.rows].sort((a, b) => {
      const x = key(a), y = key(b);
      if (x === "" || y === "") return (x === "") - (y === "");
      return dir * (text ? x.localeCompare(y, undefined, {numeric: true}) : x - y);
    });
    for (const row of rows) body.appendChild(row);
  });
}
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.9rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left; }}
th button {{ all: unset; cursor: pointer; font-weight: 600; }}
th[aria-sort=ascending]::after {{ content: " ▲"; }}
th[aria-sort=descending]::after {{ content: " ▼"; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.failed {{ background: #fdecea; }}
tr.not-analysed {{ color: #888; }}
td.v3 {{ color: #b00020; font-weight: 600; }}
td.v2 {{ color: #a85d00; }}
.failures {{ color: #b00020; }}
.note {{ color: #555; font-size: 0.85rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{counts} <span class="note">(updated {stamp}; click a column header to sort)</span></p>
{failures}
{table}
<p class="note">{column_note}</p>
<p class="note">{disclaimer}</p>
<script>{script}</script>
</body>
</html>
"""
