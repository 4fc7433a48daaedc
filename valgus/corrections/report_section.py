"""The clip's report.html as the app serves it: with the coaches' corrections, when there are any.

Why the section is added when the report is served rather than written into
the file: report.html is the analysis's output (valgus.outputs.report_html),
written once, while corrections come and go after it; the file on disk stays
the model's report, and every copy the app hands out (opened or downloaded)
carries the corrections in force at that moment, beside the model's readings.
"""

from __future__ import annotations

from html import escape
from typing import Any

from valgus.corrections.reps import corrected_reps, corrected_summary

_ANCHORS = ('<section class="reps">', "</main>")


def _deg(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}°"


def corrections_section(report: dict[str, Any], current: list[dict[str, Any]]) -> str:
    """HTML of the coach corrections: per knee of each rep, the coach's FPPA and the model's."""
    reps = corrected_reps(report, current)
    rows = []
    for rep in reps:
        for side in ("left", "right"):
            knee = rep[side]
            if knee["coach_deg"] is None:
                continue
            rows.append(
                f'<tr><td>{rep["index"]}</td><td>{side}</td><td class="num">{knee["frame"]}</td>'
                f'<td class="num"><b>{_deg(knee["coach_deg"])}</b></td>'
                f'<td class="num">{_deg(knee["model_deg"])}</td>'
                f"<td>{escape(knee['coach'])}</td></tr>"
            )
    if not rows:
        return ""
    verdicts = []
    for side, summary in corrected_summary(report, reps).items():
        if summary:
            verdicts.append(
                f"{side} knee {escape(summary['verdict'])} (mean {_deg(summary['mean_fppa_deg'])}; "
                f"model {_deg(summary['model_mean_fppa_deg'])}, {escape(summary['model_verdict'])})"
            )
    return (
        '<section class="reps coach-corrections"><h2>Coach corrections</h2>'
        '<p class="note">A coach placed the hip, knee and ankle on these key frames where the '
        "model's points were off. FPPA of the coach's points, beside the model's reading; "
        f"with the coach's values the verdicts read: {'; '.join(verdicts)}.</p>"
        '<table class="rep-table"><thead><tr><th scope="col">Rep</th><th scope="col">Knee</th>'
        '<th scope="col" class="num">Frame</th><th scope="col" class="num">Coach FPPA</th>'
        '<th scope="col" class="num">Model FPPA</th><th scope="col">Corrected by</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def with_corrections(html: str, report: dict[str, Any], current: list[dict[str, Any]]) -> str:
    """``html`` with the corrections section before the rep table (or at the end of main)."""
    section = corrections_section(report, current)
    if not section:
        return html
    for anchor in _ANCHORS:
        at = html.find(anchor)
        if at >= 0:
            return html[:at] + section + html[at:]
    return html
