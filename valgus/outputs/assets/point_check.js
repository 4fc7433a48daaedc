// "Check the points" in the offline report: the app's point editor without a server. The frames
// and the model's points are in #valgus-points (valgus.outputs.point_check); geometry, drag
// position, nudges and lens are points.js's (inlined before this file). What the coach moves is
// kept per frame on the page and downloaded as a valgus-corrections file, which valgus analyze
// --corrections FILE (or the app's import) checks and reads with valgus's own geometry.
(function () {
  "use strict";
  const SVG_NS = "http://www.w3.org/2000/svg";
  const data = JSON.parse(document.getElementById("valgus-points").textContent);
  const { width, height } = data.clip;
  const $ = (id) => document.getElementById(id);
  const svg = $("pc-svg"), lens = $("pc-lens"), picture = new Image();
  const copy = (p) => JSON.parse(JSON.stringify(p));
  const edited = {}; // frame -> the coach's points on it
  let item = null, points = null, selected = "right_knee", drag = null;

  function node(name, attrs, text) {
    const out = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attrs)) out.setAttribute(key, value);
    if (text !== undefined) out.textContent = text;
    return out;
  }

  function cell(tag, text, cls) {
    const out = document.createElement(tag);
    out.textContent = text;
    if (cls) out.className = cls;
    return out;
  }

  const deg = (v) => (Number.isFinite(v) ? `${v.toFixed(1)}°` : "–");
  const status = (text) => { $("pc-status").textContent = text; };

  function render(focus) {
    const r = Math.max(width, height) / 110;
    const parts = [node("image", { href: item.image, x: 0, y: 0, width, height, preserveAspectRatio: "none" })];
    const line = (a, b, color, cls) => parts.push(node("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: color, class: cls }));
    for (const side of ["left", "right"]) {
      const [h, k, a] = ["hip", "knee", "ankle"].map((j) => item.points[`${side}_${j}`]);
      line(h, k, "#9aa5b1", "seg ghost"); line(k, a, "#9aa5b1", "seg ghost");
      line(points[`${side}_hip`], points[`${side}_knee`], POINT_COLORS[side], "seg");
      line(points[`${side}_knee`], points[`${side}_ankle`], POINT_COLORS[side], "seg");
    }
    line(points.left_hip, points.right_hip, POINT_COLORS.asis, "seg");
    for (const name of LEG_NAMES) {
      const [x, y] = points[name];
      const label = name.replace("_", " ");
      parts.push(node("circle", { cx: x, cy: y, r: r * 2.2, class: "hit", "data-name": name }));
      const dot = node("circle", { cx: x, cy: y, r, fill: POINT_COLORS[pointSide(name)], class: `pt${name === selected ? " selected" : ""}`,
        tabindex: 0, "data-name": name, role: "slider", "aria-label": label });
      dot.appendChild(node("title", {}, label));
      parts.push(dot);
    }
    svg.replaceChildren(...parts);
    if (focus) svg.querySelector(`circle.pt[data-name="${selected}"]`).focus({ preventScroll: true });
    renderAngles();
    renderLens();
  }

  function renderAngles() {
    const live = coachAngles(points), model = coachAngles(item.points);
    const row = (label, coach, raw) => {
      const tr = document.createElement("tr");
      tr.append(cell("td", label), cell("td", deg(coach), "num coach-num"), cell("td", deg(raw), "num"));
      return tr;
    };
    const head = document.createElement("tr");
    head.append(cell("th", ""), cell("th", "Coach", "num"), cell("th", "Model points", "num"));
    const table = $("pc-angles");
    table.replaceChildren(head, row("FPPA left", live.fppa_left_deg, model.fppa_left_deg),
      row("FPPA right", live.fppa_right_deg, model.fppa_right_deg), row("Pelvic obliquity", live.pelvis, model.pelvis));
    table.dataset.fppaLeft = live.fppa_left_deg.toFixed(3);
    table.dataset.fppaRight = live.fppa_right_deg.toFixed(3);
    table.dataset.pelvis = live.pelvis.toFixed(3);
  }

  function renderLens() {
    drawLens(lens, picture, points[selected], picture.naturalWidth / width, POINT_COLORS[pointSide(selected)]);
    const [x, y] = points[selected];
    $("pc-lens-label").textContent = `${selected.replace("_", " ")} at (${x.toFixed(1)}, ${y.toFixed(1)}) px, ×${LENS_ZOOM}`;
  }

  function show(frame) {
    if (item) edited[item.frame] = points;
    item = data.frames.find((f) => f.frame === frame);
    points = edited[frame] || copy(item.points);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    picture.onload = renderLens;
    picture.src = item.image;
    render(false);
  }

  svg.addEventListener("pointerdown", (event) => {
    const name = event.target.dataset && event.target.dataset.name;
    if (!name) return;
    event.preventDefault();
    selected = name;
    drag = event.pointerId;
    svg.setPointerCapture(event.pointerId);
    render(true);
  });
  svg.addEventListener("pointermove", (event) => {
    if (drag !== event.pointerId) return;
    points[selected] = clipPointAt(svg, event, width, height);
    render(true);
  });
  const endDrag = (event) => { if (drag === event.pointerId) drag = null; };
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("focusin", (event) => {
    const name = event.target.dataset && event.target.dataset.name;
    if (name && name !== selected) { selected = name; render(true); }
  });
  svg.addEventListener("keydown", (event) => {
    const moved = nudgedPoint(points[selected], event, width, height);
    if (!moved) return;
    event.preventDefault();
    points[selected] = moved;
    render(true);
  });

  $("pc-reset").addEventListener("click", () => {
    points = copy(item.points);
    render(false);
    status("Back to the model's points on this frame.");
  });

  // Frames where the coach moved a point, in the valgus-corrections format (clip pixels, 0.1 px).
  function corrections(coach) {
    edited[item.frame] = points;
    const now = Date.now() / 1000;
    return data.frames.filter((f) => edited[f.frame] && LEG_NAMES.some((n) => edited[f.frame][n].some((v, i) => Math.abs(v - f.points[n][i]) > 0.05)))
      .map((f) => ({ frame: f.frame, coach, time_s: f.time_s, created_at: now,
        points: Object.fromEntries(LEG_NAMES.map((n) => [n, edited[f.frame][n].map((v) => Math.round(v * 10) / 10)])) }));
  }

  $("pc-download").addEventListener("click", () => {
    const coach = $("pc-coach").value.trim().split(/\s+/).join(" ");
    if (!coach) { status("Type your name first: every correction records who made it."); $("pc-coach").focus(); return; }
    const list = corrections(coach);
    if (!list.length) { status("No point has been moved: there is nothing to download."); return; }
    const file = { format: "valgus-corrections", version: 1, clip: data.clip, corrections: list };
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([JSON.stringify(file, null, 1) + "\n"], { type: "application/json" }));
    link.download = `${data.clip.name.replace(/\.[^.]*$/, "") || "clip"}-corrections.json`;
    document.body.append(link);
    link.click();
    link.remove();
    status(`Downloaded ${list.length} corrected frame${list.length === 1 ? "" : "s"}.`);
  });

  const select = $("pc-frame");
  for (const f of data.frames) {
    const option = document.createElement("option");
    option.value = f.frame;
    option.textContent = `Rep ${f.rep}: ${f.read.join(", ")} (frame ${f.frame}, ${f.time_s.toFixed(2)} s)`;
    select.append(option);
  }
  select.addEventListener("change", () => show(Number(select.value)));
  show(data.frames[0].frame);
})();
