/* valgus report: draws the timeline and moves the video to what is clicked.
   No libraries and no network: the page must open from disk. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = { left: "#2f6fd6", right: "#8a3ffc", pelvis: "#0f7d74" };
  var GRADE = { 1: "#e39a00", 2: "#d0342c" };
  var BAND = { warn: "#fdf0d3", bad: "#fbe1df" };
  var data = JSON.parse(document.getElementById("valgus-data").textContent);
  var video = document.getElementById("video");
  var chart = document.getElementById("chart");
  var playhead = null;
  var printing = false;
  var scaleX = null;

  function el(name, attrs, parent, text) {
    var node = document.createElementNS(SVG, name);
    for (var key in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, key)) node.setAttribute(key, attrs[key]);
    }
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function finiteValues(list) {
    var out = [];
    (list || []).forEach(function (v) { if (v !== null && isFinite(v)) out.push(v); });
    return out;
  }

  function niceStep(span, target) {
    var raw = span / Math.max(target, 1);
    var pow = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * pow >= raw) return steps[i] * pow;
    return 10 * pow;
  }

  function range(values, cuts, floorMin, pad) {
    var lo = Math.min(floorMin, Math.min.apply(null, values.concat([floorMin])));
    var hi = Math.max(cuts[1] + pad, Math.max.apply(null, values.concat([cuts[1] + pad])) + 1);
    var step = niceStep(hi - lo, 4);
    return { lo: Math.floor(lo / step) * step, hi: Math.ceil(hi / step) * step, step: step };
  }

  function linePath(ts, vs, sx, sy) {
    var d = "";
    var pen = false;
    for (var i = 0; i < ts.length; i++) {
      var v = vs[i];
      if (v === null || !isFinite(v)) { pen = false; continue; }
      d += (pen ? "L" : "M") + sx(ts[i]).toFixed(1) + "," + sy(v).toFixed(1);
      pen = true;
    }
    return d;
  }

  function seekAttrs(t, label) {
    return { "data-seek": t.toFixed(3), tabindex: "0", role: "button", "aria-label": label };
  }

  function panel(svg, box, spec, sx) {
    var r = spec.range;
    var sy = function (v) {
      var c = Math.max(r.lo, Math.min(r.hi, v));
      return box.y + box.h - (c - r.lo) / (r.hi - r.lo) * box.h;
    };
    el("rect", { x: box.x, y: sy(r.hi), width: box.w, height: sy(spec.cuts[1]) - sy(r.hi),
      fill: BAND.bad }, svg);
    el("rect", { x: box.x, y: sy(spec.cuts[1]), width: box.w,
      height: sy(spec.cuts[0]) - sy(spec.cuts[1]), fill: BAND.warn }, svg);
    var axis = el("g", { "class": "axis" }, svg);
    for (var v = r.lo; v <= r.hi + 1e-9; v += r.step) {
      el("line", { "class": "grid", x1: box.x, x2: box.x + box.w, y1: sy(v), y2: sy(v) }, axis);
      el("text", { x: box.x - 6, y: sy(v) + 4, "text-anchor": "end" }, axis, Math.round(v) + "°");
    }
    spec.cuts.forEach(function (cut, i) {
      el("line", { "class": "cut", x1: box.x, x2: box.x + box.w, y1: sy(cut), y2: sy(cut),
        stroke: i ? GRADE[2] : GRADE[1] }, svg);
    });
    spec.series.forEach(function (s) {
      if (!s.values) return;
      el("path", { d: linePath(data.t, s.values, sx, sy), fill: "none", stroke: s.color,
        "stroke-width": 2, "stroke-linejoin": "round", "stroke-linecap": "round" }, svg);
    });
    el("text", { "class": "title", x: box.x + 8, y: box.y + 15, stroke: "#fff",
      "stroke-width": 4, "paint-order": "stroke" }, svg, spec.title);
  }

  function flagLane(svg, y, kinds, label, sx, box) {
    el("text", { "class": "label", x: box.x - 6, y: y + 7, "text-anchor": "end",
      "font-size": "10" }, svg, label);
    el("rect", { x: box.x, y: y, width: box.w, height: 7, fill: "#f1f3f6", rx: 2 }, svg);
    data.flags.forEach(function (f) {
      if (kinds.indexOf(f.kind) < 0) return;
      var x0 = sx(f.start);
      var w = Math.max(3, sx(f.end) - x0);
      var g = el("g", seekAttrs(f.peak, label + " flag at " + f.peak.toFixed(1) + " s"), svg);
      g.setAttribute("class", "flag");
      el("rect", { x: x0, y: y - 3, width: w, height: 13, fill: "transparent" }, g);
      el("rect", { x: x0, y: y, width: w, height: 7, rx: 2, fill: GRADE[f.grade] || GRADE[1] }, g);
      el("title", {}, g, f.verdict + ", " + (f.end - f.start).toFixed(2) + " s, peak " +
        f.peak_deg.toFixed(1) + "°");
    });
  }

  function draw() {
    if (!chart) return;
    var W = Math.max(300, Math.round(chart.clientWidth || 800));
    var narrow = W < 560;
    var compact = printing || window.matchMedia("print").matches;
    var box = { x: narrow ? 38 : 46, w: 0 };
    box.w = W - box.x - 10;
    var t1 = Math.max(data.duration, 0.1);
    var sx = function (t) { return box.x + Math.max(0, Math.min(1, t / t1)) * box.w; };
    scaleX = { x0: box.x, w: box.w, t1: t1 };
    var knee = { x: box.x, y: 26, w: box.w, h: compact ? 105 : narrow ? 130 : 170 };
    var lanesY = knee.y + knee.h + 13;
    var pelvis = { x: box.x, y: lanesY + 11 + 7 + 22, w: box.w, h: compact ? 62 : narrow ? 86 : 110 };
    var laneP = pelvis.y + pelvis.h + 13;
    var H = laneP + 7 + 26;
    chart.textContent = "";
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H,
      "aria-hidden": "true" }, chart);
    data.reps.forEach(function (rep, i) {
      var x0 = sx(rep.start);
      var x1 = sx(rep.end);
      el("rect", { "class": "rep-span" + (i % 2 ? " alt" : ""), x: x0, y: knee.y,
        width: Math.max(1, x1 - x0), height: pelvis.y + pelvis.h - knee.y }, svg);
      var g = el("g", seekAttrs(rep.start, data.noun + " " + rep.i), svg);
      g.setAttribute("class", "rep-hit");
      g.setAttribute("data-rep", rep.i);
      el("rect", { x: x0, y: 0, width: Math.max(14, x1 - x0), height: 22, fill: "transparent" }, g);
      el("text", { "class": "rep-label", x: (x0 + x1) / 2, y: 16, "text-anchor": "middle" }, g,
        (x1 - x0 > 44 ? data.noun + " " : "") + rep.i);
    });
    var kneeValues = finiteValues(data.fppa_left).concat(finiteValues(data.fppa_right));
    panel(svg, knee, {
      title: "Knee FPPA (° , + = inward)",
      cuts: data.fppa_cuts,
      range: range(kneeValues, data.fppa_cuts, -5, 4),
      series: [{ values: data.fppa_left, color: COLORS.left },
        { values: data.fppa_right, color: COLORS.right }]
    }, sx);
    flagLane(svg, lanesY, ["collapse_left"], "Left", sx, box);
    flagLane(svg, lanesY + 11, ["collapse_right"], "Right", sx, box);
    panel(svg, pelvis, {
      title: (data.bilateral ? "Pelvic tilt (°)" : "Pelvic drop (°, free-leg side)") +
        (finiteValues(data.drop).length ? "" : ": not measured in this clip"),
      cuts: data.drop_cuts,
      range: range(finiteValues(data.drop), data.drop_cuts, 0, 2),
      series: [{ values: data.drop, color: COLORS.pelvis }]
    }, sx);
    flagLane(svg, laneP, ["pelvic_drop"], "Pelvis", sx, box);
    var axis = el("g", { "class": "axis" }, svg);
    var step = niceStep(t1, narrow ? 4 : 8);
    for (var t = 0; t <= t1 + 1e-9; t += step) {
      el("text", { x: sx(t), y: laneP + 26, "text-anchor": "middle" }, axis,
        (Math.round(t * 10) / 10) + " s");
    }
    playhead = el("line", { "class": "playhead", x1: box.x, x2: box.x, y1: knee.y,
      y2: laneP + 8, visibility: video ? "visible" : "hidden" }, svg);
    svg.addEventListener("click", onChartClick);
    movePlayhead();
  }

  function onChartClick(event) {
    if (event.target.closest("[data-seek]") || !scaleX) return;
    var svg = event.currentTarget;
    var pt = svg.createSVGPoint();
    pt.x = event.clientX;
    pt.y = event.clientY;
    var p = pt.matrixTransform(svg.getScreenCTM().inverse());
    var frac = (p.x - scaleX.x0) / scaleX.w;
    if (frac < 0 || frac > 1) return;
    seek(frac * scaleX.t1, false);
  }

  function movePlayhead() {
    if (!playhead || !video || !scaleX) return;
    var frac = Math.max(0, Math.min(1, video.currentTime / scaleX.t1));
    var x = scaleX.x0 + frac * scaleX.w;
    playhead.setAttribute("x1", x);
    playhead.setAttribute("x2", x);
    var t = video.currentTime;
    document.querySelectorAll("tr[data-rep]").forEach(function (row) {
      var inside = t >= parseFloat(row.dataset.start) && t <= parseFloat(row.dataset.end);
      row.classList.toggle("playing", inside);
    });
  }

  function seek(t, reveal) {
    if (!video) return;
    // Half a frame in, so rounding can never land on the frame before.
    var target = Math.max(0, t + (data.period || 0) / 2);
    if (isFinite(video.duration)) target = Math.min(target, video.duration);
    video.currentTime = target;
    movePlayhead();
    if (reveal) {
      var box = video.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) {
        video.scrollIntoView({ behavior: "smooth", block: "center" });
      }
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-seek]");
    if (!target) return;
    event.preventDefault();
    seek(parseFloat(target.getAttribute("data-seek")), !chart || !chart.contains(target));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    var target = event.target.closest && event.target.closest("g[data-seek]");
    if (!target) return;
    event.preventDefault();
    seek(parseFloat(target.getAttribute("data-seek")), false);
  });

  if (video) {
    video.addEventListener("timeupdate", movePlayhead);
    video.addEventListener("seeked", movePlayhead);
  }
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; draw(); });
  });
  window.addEventListener("beforeprint", function () { printing = true; draw(); });
  window.addEventListener("afterprint", function () { printing = false; draw(); });
  var printQuery = window.matchMedia("print");
  if (printQuery.addEventListener) printQuery.addEventListener("change", draw);
  draw();
})();
