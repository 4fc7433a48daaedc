// The coach's point editor on the review page: the model's hip, knee and ankle points (and, on
// request, ASIS) over the full-resolution frame; drag (mouse and touch), zoom lens, 1 px arrow
// nudges, live FPPA and pelvic obliquity, save / undo / reset. The server recomputes the angles
// on save with valgus's own geometry; the formulas and gestures are points.js's, which the
// offline report's editor shares.
"use strict";

const ASIS_NAMES = ["left_asis", "right_asis"];

function startEditor({ clipId, times, video, onChange }) {
  const $ = (id) => document.getElementById(id);
  const svg = $("editor-svg"), image = $("editor-image"), lens = $("editor-lens");
  let detail = null, points = {}, undoStack = [], selected = null, drag = null;

  const copy = (p) => JSON.parse(JSON.stringify(p));
  const status = (text, cls = "") => { $("editor-status").textContent = text; $("editor-status").className = `small ${cls}`; };
  $("editor-coach").value = localStorage.getItem("valgus.coach") || "";

  function toImage(event) { return clipPointAt(svg, event, detail.width, detail.height); }

  function render(focus = false) {
    if (!detail) return;
    const r = Math.max(detail.width, detail.height) / 110;
    const parts = [];
    const line = (a, b, color, cls = "") => parts.push(svgEl("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: color, class: `seg ${cls}` }));
    const model = detail.model.points;
    for (const side of ["left", "right"]) {
      const [h, k, a] = ["hip", "knee", "ankle"].map((j) => model[`${side}_${j}`]);
      if (h && k && a) { line(h, k, "#9aa5b1", "ghost"); line(k, a, "#9aa5b1", "ghost"); }
      line(points[`${side}_hip`], points[`${side}_knee`], POINT_COLORS[side]);
      line(points[`${side}_knee`], points[`${side}_ankle`], POINT_COLORS[side]);
    }
    line(points.left_hip, points.right_hip, POINT_COLORS.asis, "pelvis");
    if (points.left_asis) line(points.left_asis, points.right_asis, POINT_COLORS.asis, "pelvis");
    for (const name of Object.keys(points)) {
      const [x, y] = points[name];
      const dot = svgEl("circle", { cx: x, cy: y, r, fill: POINT_COLORS[pointSide(name)], class: `pt${name === selected ? " selected" : ""}`,
        tabindex: 0, "data-name": name, role: "slider", "aria-label": name.replace("_", " ") });
      dot.appendChild(svgEl("title", {}, name.replace("_", " ")));
      parts.push(svgEl("circle", { cx: x, cy: y, r: r * 2.2, class: "hit", "data-name": name }), dot);
    }
    svg.replaceChildren(...parts);
    // The circles are drawn anew: give the focus back to the selected one while editing.
    if (focus && selected) svg.querySelector(`circle.pt[data-name="${selected}"]`)?.focus({ preventScroll: true });
    renderAngles();
    renderLens();
  }

  function renderAngles() {
    const live = coachAngles(points);
    const m = detail.model.angles || {};
    const rep = detail.model.reported || {};
    // valgus's own reading on this frame (frames.csv): the second model's where it re-read the
    // frame (a rep's reading), else MediaPipe's; blank where valgus judged FPPA not valid.
    const read = (side) => rep[`fppa_refined_${side}_deg`] ?? rep[`fppa_${side}_deg`] ?? null;
    const reported = (side) => (`fppa_valid_${side}` in rep ? (rep[`fppa_valid_${side}`] ? read(side) : null) : m[`fppa_${side}_deg`] ?? null);
    // A knee valgus reads no FPPA on (lifted leg, thigh foreshortened): the coach's angle is dimmed.
    const row = (label, coach, model, raw, unread = false) => el("tr", {}, el("td", { text: label }),
      el("td", { class: `num coach-num${unread ? " muted" : ""}`, title: unread ? "valgus reads no FPPA for this knee on this frame" : null, text: fmt(coach, 1, "°") }), el("td", { class: "num", text: fmt(model, 1, "°") }),
      el("td", { class: "num muted", text: fmt(raw, 1, "°") }));
    $("editor-angles").replaceChildren(
      el("thead", {}, el("tr", {}, el("th", { text: "" }), el("th", { class: "num", text: "Coach" }),
        el("th", { class: "num", text: "valgus" }), el("th", { class: "num", text: "model raw" }))),
      el("tbody", {},
        row("FPPA left", live.fppa_left_deg, reported("left"), m.fppa_model_left_deg, reported("left") === null),
        row("FPPA right", live.fppa_right_deg, reported("right"), m.fppa_model_right_deg, reported("right") === null),
        row("Pelvic obliquity", live.pelvis, rep.pelvic_obliquity_raw_deg, m.pelvic_obliquity?.raw_deg),
        live.asis === undefined ? null : row("ASIS obliquity", live.asis, null, null)));
    $("editor-angles").dataset.fppaRight = live.fppa_right_deg.toFixed(3);
    $("editor-angles").dataset.fppaLeft = live.fppa_left_deg.toFixed(3);
  }

  function renderLens() {
    drawLens(lens, image, selected && points[selected], 1, selected && POINT_COLORS[pointSide(selected)]);
    if (!selected || !image.complete || !image.naturalWidth) return;
    const [x, y] = points[selected];
    $("editor-lens-label").textContent = `${selected.replace("_", " ")} at (${x.toFixed(1)}, ${y.toFixed(1)}) px, ×${LENS_ZOOM}`;
  }

  function edit(change, focus = false) {
    undoStack.push(copy(points));
    change();
    render(focus);
  }

  svg.addEventListener("pointerdown", (event) => {
    const name = event.target.dataset?.name;
    if (!name) return;
    event.preventDefault();
    selected = name;
    drag = { id: event.pointerId, before: copy(points), moved: false };
    svg.setPointerCapture(event.pointerId);
    render(true);
  });
  svg.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    points[selected] = toImage(event);
    drag.moved = true;
    render(true);
  });
  const endDrag = (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    if (drag.moved) undoStack.push(drag.before);
    drag = null;
  };
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("focusin", (event) => {
    const name = event.target.dataset?.name;
    if (name && name !== selected) { selected = name; renderLens(); svg.querySelectorAll("circle.pt").forEach((c) => c.classList.toggle("selected", c.dataset.name === name)); }
  });
  svg.addEventListener("keydown", (event) => {
    const moved = selected && nudgedPoint(points[selected], event, detail.width, detail.height);
    if (!moved) return;
    event.preventDefault();
    edit(() => { points[selected] = moved; }, true);
  });

  function startPoints() {
    const saved = detail.correction && detail.correction.points;
    const base = saved ? copy(saved) : copy(detail.model.points);
    if ($("editor-asis").checked && !base.left_asis) {
      // MediaPipe has no ASIS: start them on the hip points for the coach to place.
      base.left_asis = [...base.left_hip];
      base.right_asis = [...base.right_hip];
    }
    if (!$("editor-asis").checked) ASIS_NAMES.forEach((n) => delete base[n]);
    return base;
  }

  async function open(frame) {
    status("Loading…");
    const select = $("editor-frame");
    if (![...select.options].some((o) => Number(o.value) === frame)) select.append(el("option", { value: frame, text: `paused frame (frame ${frame})` }));
    select.value = String(frame);
    detail = await api(`/api/clips/${clipId}/frames/${frame}`);
    if (LEG_NAMES.some((n) => !detail.model.points[n]) && !detail.correction) {
      status(`The model found no legs on frame ${frame}.`, "error");
      return;
    }
    $("editor-asis").checked = Boolean(detail.correction?.points.left_asis) || $("editor-asis").checked;
    points = startPoints();
    undoStack = [];
    selected = selected && points[selected] ? selected : "right_knee";
    svg.setAttribute("viewBox", `0 0 ${detail.width} ${detail.height}`);
    image.onload = () => { renderLens(); status(`Frame ${frame} · ${detail.time_s.toFixed(2)} s · ${detail.width}×${detail.height}`); };
    image.src = detail.image_url;
    showSaved();
    render();
  }

  function showSaved() {
    const c = detail.correction;
    $("editor-saved").textContent = c ? `Saved by ${c.coach}, ${when(c.created_at)}` : "The model's points (not corrected).";
  }

  $("editor-save").addEventListener("click", async () => {
    const coach = $("editor-coach").value.trim();
    if (!coach) { status("Type your name first: every correction records who made it.", "error"); $("editor-coach").focus(); return; }
    localStorage.setItem("valgus.coach", coach);
    try {
      const saved = await api(`/api/clips/${clipId}/corrections`, { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ frame: detail.frame, points, coach, base_id: detail.correction ? detail.correction.id : null }) });
      detail.correction = saved;
      undoStack = [];
      showSaved();
      const a = saved.angles.coach;
      status(`Saved: FPPA left ${fmt(a.fppa_left_deg, 1, "°")}, right ${fmt(a.fppa_right_deg, 1, "°")}.`, "ok-text");
      onChange();
    } catch (error) {
      status(`Not saved: ${error.message}`, "error");
    }
  });

  $("editor-undo").addEventListener("click", async () => {
    if (undoStack.length) { points = undoStack.pop(); render(); status("Undone."); return; }
    if (!detail.correction) { status("Nothing to undo."); return; }
    await api(`/api/clips/${clipId}/corrections/${detail.correction.id}`, { method: "DELETE" });
    status("The last save was undone.");
    await open(detail.frame);
    onChange();
  });

  $("editor-reset").addEventListener("click", async () => {
    if (detail.correction) {
      await api(`/api/clips/${clipId}/frames/${detail.frame}/corrections`, { method: "DELETE" });
      detail.correction = null;
      showSaved();
      onChange();
    }
    edit(() => { points = startPoints(); });
    status("Back to the model's points.");
  });

  $("editor-asis").addEventListener("change", () => edit(() => {
    if ($("editor-asis").checked) { points.left_asis = [...points.left_hip]; points.right_asis = [...points.right_hip]; selected = "left_asis"; }
    else { ASIS_NAMES.forEach((n) => delete points[n]); if (pointSide(selected) === "asis") selected = "right_knee"; }
  }));

  $("editor-frame").addEventListener("change", () => open(Number($("editor-frame").value)));
  $("editor-paused").addEventListener("click", () => {
    video.pause();
    // The frame whose time is nearest the video's (times from frames.csv, from the first frame).
    let best = 0;
    times.forEach((t, i) => { if (t !== null && Math.abs(t - video.currentTime) < Math.abs(times[best] - video.currentTime)) best = i; });
    open(best);
  });

  window.addEventListener("resize", renderLens);
  return { open };
}
