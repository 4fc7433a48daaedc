"""The sections of report.html, each a function from the Session to an HTML fragment.

Every value that comes from data is escaped here; the page template
(`valgus.outputs.report_html`) only stitches fragments together. Elements
that move the video carry ``data-seek="<seconds>"`` (report.js wires them).
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

from valgus.analysis.flags import FlagEvent, verdict
from valgus.analysis.refined_fppa import second_model_note
from valgus.analysis.rep_metrics import RepMetrics
from valgus.movement import Movement
from valgus.outputs.keyframes import KeyMoment
from valgus.outputs.pelvis_text import pelvis_verdict
from valgus.outputs.recommendations import Plan
from valgus.outputs.report_text import (
    FLAG_KIND_LABELS,
    SCREENING_NOTE,
    VALIDITY_CAVEAT,
    VERDICT_CLASSES,
    VERDICT_LABELS,
    Verdict,
    asymmetry_note,
    data_quality,
    deg,
    knee_verdict,
    lifted_sides,
    overview,
    past_limit,
    rep_noun,
)
from valgus.session import DISCLAIMER, Session

THRESHOLD_LABELS = {
    "fppa_above_deg": "Knee FPPA: above normal range from",
    "fppa_marked_deg": "Knee FPPA: marked from",
    "fppa_hysteresis_deg": "Knee flag ends this far below its entry",
    "pelvic_drop_above_deg": "Pelvic drop: above normal range from",
    "pelvic_drop_marked_deg": "Pelvic drop: marked from",
    "pelvic_drop_hysteresis_deg": "Pelvic flag ends this far below its entry",
    "min_flag_duration_s": "Shortest flag counted",
    "fppa_sdd_deg": "Smallest real FPPA difference (SDD)",
    "pelvic_drop_sdd_deg": "Smallest real pelvic drop difference (SDD)",
    "fppa_sem_deg": "Knee FPPA: borderline this close below the normal cut",
}
DATA_FILES = (
    ("annotated.mp4", "the video with the overlay"),
    ("report.json", "every result, machine-readable"),
    ("frames.csv", "one row per frame, units in the column names"),
    ("reps.csv", "one row per rep or hold"),
    ("angles.mot", "FPPA, pelvic and trunk angles for OpenSim / Sports2D"),
    ("landmarks_px.trc", "2D landmarks in pixels for OpenSim / Sports2D"),
    ("timeline.svg", "the timeline as an image"),
    ("reps.svg", "per-rep angles as an image"),
    ("pose.npz", "landmarks for re-analysis (valgus analyze --from-pose)"),
)


def _seek(time_s: float) -> str:
    return f'data-seek="{time_s:.3f}"'


def _chip(word: str, text: str | None = None) -> str:
    css = VERDICT_CLASSES.get(word, "na")
    return f'<span class="chip {css}">{escape(text or VERDICT_LABELS.get(word, word))}</span>'


def header(session: Session, *, clip_name: str) -> str:
    """Title, clip and what was analysed."""
    n = len(session.reps)
    movement = Movement(session.movement).title
    detected = " (detected)" if session.movement_detected else ""
    return (
        '<header class="masthead"><p class="eyebrow">valgus · movement screen</p>'
        f"<h1>{escape(movement)}: knee valgus and pelvic drop</h1>"
        f'<p class="meta"><span>{escape(clip_name)}</span>'
        f"<span>{escape(movement)}{detected}</span>"
        f"<span>{n} {rep_noun(session.movement, n)} analysed</span>"
        f"<span>{session.source.duration_s:.1f} s</span></p></header>"
    )


def _card(v: Verdict) -> str:
    return (
        f'<article class="card verdict {v.css}" data-verdict="{escape(v.verdict)}">'
        f'<h3>{escape(v.title)}</h3><p class="badge {v.css}">{escape(v.label)}</p>'
        f"<p>{escape(v.sentence)}</p></article>"
    )


def verdicts(session: Session) -> str:
    """The headline: one card per knee, the pelvis and data quality, then one sentence."""
    cards = [knee_verdict(session, "left"), knee_verdict(session, "right"), pelvis_verdict(session)]
    label, css, sentence = data_quality(session)
    warnings = "".join(f"<li>{escape(w)}</li>" for w in session.quality.warnings)
    quality = (
        f'<article class="card verdict {css}" id="quality"><h3>Data quality</h3>'
        f'<p class="badge {css}">{escape(label)}</p><p>{escape(sentence)}</p>'
        + (f'<ul class="warnings">{warnings}</ul>' if warnings else "")
        + "</article>"
    )
    return (
        f'<section class="summary" aria-label="Verdicts"><p class="lead">'
        f"{escape(overview(session))}</p>"
        f'<div class="cards">{"".join(_card(v) for v in cards)}{quality}</div></section>'
    )


def media(
    *, video_name: str | None, lifted: frozenset[str] = frozenset(), pelvis: bool = True
) -> str:
    """The annotated video (referenced relatively) and the chart container.

    ``lifted`` legs and, with ``pelvis`` False (no frame has a pelvic drop), the
    pelvis have no line in the chart, so the legend does not name them.
    """
    if video_name:
        video = (
            f'<video id="video" src="{escape(video_name)}" controls muted playsinline '
            'preload="auto"></video>'
        )
    else:
        video = (
            '<p class="novideo">No annotated video was written for this analysis '
            "(run valgus analyze without --no-video, with the clip present).</p>"
        )
    knees = "".join(
        f'<li><i class="sw {side}"></i>{side.capitalize()} knee</li>'
        for side in ("left", "right")
        if side not in lifted
    )
    pelvis_key = '<li><i class="sw pelvis"></i>Pelvis</li>' if pelvis else ""
    legend = (
        f'<ul class="legend">{knees}{pelvis_key}'
        '<li><i class="band warn"></i>Above normal range</li>'
        '<li><i class="band bad"></i>Marked</li></ul>'
    )
    return (
        f'<section class="media"><div class="player">{video}</div>'
        '<div class="chart-wrap"><h2>Timeline</h2>'
        '<p class="hint">Click a rep, a flag or any point of the chart to jump the video there.'
        f'</p><div id="chart" role="img" aria-label="FPPA and pelvic drop over time"></div>'
        f"{legend}</div></section>"
    )


def key_frames(moments: list[KeyMoment], stills: dict[int, str], movement: str) -> str:
    """The worst moment of each rep as a still; ``stills`` maps frames to data URIs."""
    figures = []
    for m in moments:
        uri = stills.get(m.frame)
        if uri is None:
            continue
        what = (
            "bottom · all within normal"
            if m.measure == "bottom"
            else f"worst · {m.measure} {deg(m.value_deg, 1)}"
        )
        title = f"{rep_noun(movement).capitalize()} {m.rep_index}"
        figures.append(
            f'<figure class="still"><button class="still-btn" {_seek(m.time_s)} '
            f'aria-label="Show {escape(title)} in the video">'
            f'<img src="{uri}" alt="{escape(title)}: {escape(what)}"></button>'
            f"<figcaption><b>{escape(title)}</b> · {m.time_s:.2f} s<br>{escape(what)}"
            "</figcaption></figure>"
        )
    if not figures:
        return ""
    return (
        f'<section class="keyframes"><h2>Key moment of each {rep_noun(movement)}</h2>'
        '<p class="hint">The worst moment when something went above normal, otherwise the '
        "bottom. Click a still to see it in the video.</p>"
        f'<div class="stills">{"".join(figures)}</div></section>'
    )


def _flag_chip(event: FlagEvent, peak_s: float) -> str:
    """A flag as a chip that seeks to its peak."""
    label = FLAG_KIND_LABELS.get(event.kind, event.kind)
    if event.grade >= 2:
        label += " · marked"
    detail = (
        f"{VERDICT_LABELS[event.verdict]}, {event.duration_s:.2f} s, peak {event.peak_deg:.1f}°"
    )
    return (
        f'<button class="chip {VERDICT_CLASSES[event.verdict]} flag" {_seek(peak_s)} '
        f'title="{escape(detail)}">{escape(label)}</button>'
    )


REP_COLUMNS = (
    "Time",
    "FPPA left",
    "FPPA right",
    "Left − right",
    "KASR vs standing",
    "Pelvic drop",
    "Flags",
)


_NUM = ' class="num"'


def _td(label: str, content: str, css: str = "num") -> str:
    """A cell that also carries its column name (the phone layout shows it inline)."""
    return f'<td class="{css}" data-label="{escape(label)}">{content}</td>'


def _value(value: float, above: float, marked: float) -> str:
    if not math.isfinite(value):
        return "–"
    return (
        f'<span class="val {VERDICT_CLASSES[verdict(value, above, marked)]}">{deg(value, 1)}</span>'
    )


def _rep_flags(session: Session, rep: RepMetrics) -> str:
    times = session.frames["time_s"]
    chips = [
        _flag_chip(e, float(times.loc[e.peak_frame]))
        for e in session.flags.events
        if e.start_frame <= rep.end_frame and e.end_frame >= rep.start_frame
    ]
    return " ".join(chips) or '<span class="muted">none</span>'


def _reading(rep: RepMetrics, side: str, above: float, marked: float) -> str:
    """A rep's FPPA reading; marked with * when read above the bottom."""
    cell = _value(getattr(rep, f"fppa_read_{side}_deg"), above, marked)
    frame = getattr(rep, f"fppa_read_{side}_frame")
    return cell + ("*" if frame is not None and frame != rep.bottom_frame else "")


def _rep_row(session: Session, rep: RepMetrics) -> str:
    th = session.thresholds
    fa, fm = th.fppa_above_deg.value, th.fppa_marked_deg.value
    # The free leg of this rep (or a leg never stood on): "lifted", and the straight leg of a
    # lunge "straight", not a dash, which the table's note keeps for a knee past the depth
    # where FPPA is read.
    free = {"left", "right"} - {rep.stance_side} if rep.stance_side else set()
    lifted = lifted_sides(session) | free
    fppa = [
        "lifted"
        if side in lifted
        else "straight"
        if getattr(rep, f"straight_leg_{side}")
        else _reading(rep, side, fa, fm)
        for side in ("left", "right")
    ]
    paired = session.movement == "squat" and rep.symmetric
    values = (
        f"{rep.start_s:.1f}–{rep.end_s:.1f} s",
        *fppa,
        deg(rep.fppa_pair_left_deg - rep.fppa_pair_right_deg, 1) if paired else "–",
        f"{rep.kasr_change_bottom:.2f}" if math.isfinite(rep.kasr_change_bottom) else "–",
        _value(
            rep.pelvic_drop_deg,
            th.pelvic_drop_above_deg.value,
            th.pelvic_drop_marked_deg.value,
        ),
    )
    cells = "".join(_td(label, v) for label, v in zip(REP_COLUMNS, values, strict=False))
    noun = rep_noun(session.movement).capitalize()
    return (
        f'<tr data-rep="{rep.index}" data-start="{rep.start_s:.3f}" data-end="{rep.end_s:.3f}">'
        f'<th scope="row"><button class="rep-btn" {_seek(rep.start_s)} data-rep="{rep.index}">'
        f"{noun} {rep.index}</button></th>{cells}"
        f"{_td('Flags', _rep_flags(session, rep), 'flags')}</tr>"
    )


def rep_table(session: Session) -> str:
    """Per-rep peaks with colour by grade, the flags, and the asymmetry note."""
    noun = rep_noun(session.movement).capitalize()
    if not session.reps:
        return (
            f'<section class="reps"><h2>{noun}s</h2><p>No {noun.lower()}s were found in this '
            "clip, so nothing was measured per rep.</p></section>"
        )
    rows = "".join(_rep_row(session, rep) for rep in session.reps)
    heads = "".join(
        f'<th scope="col"{"" if label == "Flags" else _NUM}>{escape(label)}</th>'
        for label in REP_COLUMNS
    )
    return (
        f'<section class="reps"><h2>{noun} by {noun.lower()}</h2>'
        f'<table class="rep-table"><thead><tr><th scope="col">{noun}</th>{heads}</tr></thead>'
        f'<tbody>{rows}</tbody></table><p class="note">{escape(asymmetry_note(session))}'
        '</p><p class="note muted">FPPA: frontal plane projection angle of the knee, + when '
        "the knee is inside the hip-ankle line, read at the bottom of the rep; * where the "
        "leg was hidden or turned there, at the deepest frame on the way down where it was "
        f"not; – where {past_limit(session)} at the bottom. Left − right: both knees at one "
        "frame of the rep where both are read (the number the side comparison averages). "
        "KASR vs standing: knee over ankle separation at the bottom, over the same standing "
        "(what the knees' verdict grades; below 1: knees closer together than standing). "
        "Pelvic drop: the rep's peak; negative when the free-leg side rose; – where the clip "
        "never stands on both feet, so there is no standing baseline to measure it against.</p>"
        "</section>"
    )


def training(plan: Plan) -> str:
    """What to train, from the recommendations plan."""
    if not plan.needed:
        return (
            '<section class="training none" id="training"><h2>What to train</h2>'
            f'<p class="plan-headline">{escape(plan.headline)}</p></section>'
        )
    reasons = "".join(f"<li>{escape(r)}</li>" for r in plan.reasons)
    phases = []
    for phase in plan.phases:
        items = "".join(
            f"<li><b>{escape(e.name)}</b> <span>{escape(e.how)}</span></li>"
            for e in phase.exercises
        )
        phases.append(
            f'<article class="phase"><h3>{escape(phase.title)}</h3>'
            f'<p class="goal">{escape(phase.goal)}</p><p class="dose">{escape(phase.dose)}</p>'
            f'<ul class="exercises">{items}</ul><p class="progress">{escape(phase.progression)}'
            "</p></article>"
        )
    notes = "".join(f"<li>{escape(n)}</li>" for n in plan.notes)
    return (
        '<section class="training" id="training"><h2>What to train</h2>'
        f'<p class="plan-headline">{escape(plan.headline)}</p><ul class="reasons">{reasons}</ul>'
        f'<div class="phases">{"".join(phases)}</div><ul class="notes">{notes}</ul></section>'
    )


def method(session: Session) -> str:
    """Thresholds with their sources, the 2D caveat and the screening sentence."""
    readings_from = second_model_note(session.second_model, session.reps)
    rows = []
    for name, t in session.thresholds.to_dict().items():
        unit = "°" if t["unit"] == "deg" else f" {t['unit']}"
        rows.append(
            f'<tr><th scope="row">{escape(THRESHOLD_LABELS.get(name, name))}</th>'
            f'<td class="num">{t["value"]:g}{escape(unit)}</td><td>{escape(str(t["source"]))}'
            "</td></tr>"
        )
    return (
        '<section class="method"><h2>How this was judged</h2>'
        f'<p class="caveat">{escape(VALIDITY_CAVEAT)}</p>'
        f'<p class="readings">{escape(readings_from)}</p>'
        f'<p class="screening"><b>{escape(SCREENING_NOTE)}</b></p>'
        '<div class="table-scroll"><table class="thresholds"><thead><tr>'
        '<th scope="col">Threshold</th><th scope="col" class="num">Value</th>'
        f'<th scope="col">Source</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        "</section>"
    )


def files(folder: Path) -> str:
    """Links to the files written beside the report (only those that exist)."""
    items = "".join(
        f'<li><a href="{escape(name)}">{escape(name)}</a> <span>{escape(what)}</span></li>'
        for name, what in DATA_FILES
        if (folder / name).exists()
    )
    return f'<section class="files"><h2>Data files</h2><ul>{items}</ul></section>' if items else ""


def footer(*, version: str) -> str:
    return (
        f'<footer><p>{escape(DISCLAIMER)}</p><p class="muted">valgus {escape(version)}</p></footer>'
    )
