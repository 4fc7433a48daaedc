// Timeline chart of a clip: FPPA per knee and pelvic drop over time, flagged intervals as bands,
// threshold lines, a playhead that follows the video, and click-to-seek.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const PAD = { l: 40, r: 14, t: 20, b: 24 };

function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function linePath(times, values, x, y) {
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || times[i] === null) { pen = false; return; }
    d += `${pen ? "L" : "M"}${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

function niceStep(span) {
  return [2, 5, 10, 20, 30, 60].find((s) => span / s <= 7) || 90;
}

function drawTimeline(svg, series, report, video) {
  const times = series.time_s;
  const end = Math.max(0.1, times[times.length - 1] || report.source.duration_s || 1);
  const thr = report.thresholds;
  // A single-leg stance is judged by pelvic drop; squats by the knees' FPPA.
  const kind = report.movement === "single-leg-stance" ? "pelvic_drop" : "fppa";
  const above = thr[`${kind}_above_deg`].value, marked = thr[`${kind}_marked_deg`].value;
  const what = kind === "fppa" ? "" : "pelvic drop ";
  const all = ["fppa_left_deg", "fppa_right_deg", "pelvic_drop_deg"].flatMap((k) => series[k]).filter((v) => v !== null);
  const yMin = Math.min(-5, Math.floor(Math.min(...all, 0) / 5) * 5);
  const yMax = Math.max(marked + 4, Math.ceil(Math.max(...all, 0) / 5) * 5);
  let playhead = null, geometry = null;

  function render() {
    const W = svg.clientWidth || 800, H = svg.clientHeight || 210;
    const plotW = W - PAD.l - PAD.r, plotH = H - PAD.t - PAD.b;
    const x = (s) => PAD.l + (s / end) * plotW;
    const y = (v) => PAD.t + ((yMax - v) / (yMax - yMin)) * plotH;
    geometry = { x, plotW };
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const parts = [];
    for (const f of report.flags) {
      parts.push(svgEl("rect", { x: x(f.start_s), y: PAD.t, width: Math.max(2, x(f.end_s) - x(f.start_s)), height: plotH,
        fill: FLAG_COLORS[f.kind], "fill-opacity": f.grade > 1 ? 0.22 : 0.12 }));
    }
    const yStep = niceStep(yMax - yMin) >= 10 ? 10 : 5;
    for (let v = Math.ceil(yMin / yStep) * yStep; v <= yMax; v += yStep) {
      parts.push(svgEl("line", { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: v === 0 ? "axis" : "grid" }));
      parts.push(svgEl("text", { x: PAD.l - 6, y: y(v) + 4, "text-anchor": "end" }, `${v}°`));
    }
    const xStep = niceStep(end) / (end < 12 ? 2 : 1);
    for (let s = 0; s <= end + 1e-6; s += xStep) {
      parts.push(svgEl("text", { x: x(s), y: H - 6, "text-anchor": "middle" }, `${+s.toFixed(1)} s`));
    }
    for (const [value, color, label] of [[above, "#b7791f", `${what}above normal`], [marked, "#d63b30", `${what}marked`]]) {
      parts.push(svgEl("line", { x1: PAD.l, x2: W - PAD.r, y1: y(value), y2: y(value), stroke: color, "stroke-dasharray": "5 4" }));
      parts.push(svgEl("text", { x: W - PAD.r - 4, y: y(value) - 4, "text-anchor": "end", fill: color }, `${label} ${value}°`));
    }
    const lines = [["fppa_left_deg", "#2563eb"], ["fppa_right_deg", "#e8590c"], ["pelvic_drop_deg", "#8b5cf6"]];
    for (const [key, color] of lines) {
      parts.push(svgEl("path", { d: linePath(times, series[key], x, y), class: "line", stroke: color }));
    }
    for (const rep of report.reps) {
      parts.push(svgEl("text", { x: x(rep.bottom_s), y: PAD.t - 6, "text-anchor": "middle" }, `R${rep.index}`));
    }
    playhead = svgEl("line", { y1: PAD.t - 2, y2: H - PAD.b, class: "playhead" });
    parts.push(playhead);
    svg.replaceChildren(...parts);
    movePlayhead();
  }

  function movePlayhead() {
    if (!playhead) return;
    const px = geometry.x(Math.min(video.currentTime || 0, end));
    playhead.setAttribute("x1", px);
    playhead.setAttribute("x2", px);
  }

  function follow() {
    movePlayhead();
    if (!video.paused) requestAnimationFrame(follow);
  }

  svg.addEventListener("click", (e) => {
    const box = svg.getBoundingClientRect();
    const s = ((e.clientX - box.left - PAD.l) / geometry.plotW) * end;
    video.currentTime = Math.max(0, Math.min(end, s));
  });
  video.addEventListener("timeupdate", movePlayhead);
  video.addEventListener("seeked", movePlayhead);
  video.addEventListener("play", follow);
  window.addEventListener("resize", render);
  render();
}
