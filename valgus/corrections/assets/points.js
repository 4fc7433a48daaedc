// The geometry and gestures of a coach's point editor, shared by the review app (editor.js) and
// the offline report (valgus.outputs.point_check inlines this file), so both read the same angle
// from the same points. The formulas mirror valgus.analysis.geometry; the server (or valgus
// analyze --corrections) recomputes every angle from the points with valgus's own code.
"use strict";

const LEG_NAMES = ["left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"];
const POINT_COLORS = { left: "#2563eb", right: "#e8590c", asis: "#8b5cf6" };
const LENS_ZOOM = 4;

function cross(a, b) { return a[0] * b[1] - a[1] * b[0]; }
function minus(a, b) { return [a[0] - b[0], a[1] - b[1]]; }

// FPPA of one leg, degrees, + valgus (valgus.analysis.geometry.fppa_deg).
function fppaDeg(hip, knee, ankle, otherHip) {
  const medial = Math.sign(cross(minus(ankle, hip), minus(otherHip, hip)));
  if (!medial) return NaN;
  const thigh = minus(knee, hip), shank = minus(ankle, knee);
  return (Math.atan2(-cross(thigh, shank) * medial, thigh[0] * shank[0] + thigh[1] * shank[1]) * 180) / Math.PI;
}

// Hip (or ASIS) line against the horizontal, + when the person's left is lower (pelvic_obliquity_deg).
function obliquityDeg(left, right) {
  return (Math.atan2(left[1] - right[1], Math.abs(left[0] - right[0])) * 180) / Math.PI;
}

function coachAngles(p) {
  const out = {
    fppa_left_deg: fppaDeg(p.left_hip, p.left_knee, p.left_ankle, p.right_hip),
    fppa_right_deg: fppaDeg(p.right_hip, p.right_knee, p.right_ankle, p.left_hip),
    pelvis: obliquityDeg(p.left_hip, p.right_hip),
  };
  if (p.left_asis && p.right_asis) out.asis = obliquityDeg(p.left_asis, p.right_asis);
  return out;
}

function pointSide(name) { return name.endsWith("asis") ? "asis" : name.split("_")[0]; }

// The pointer's place in an SVG whose viewBox is the clip's pixels, kept in the frame, to 0.1 px.
function clipPointAt(svg, event, width, height) {
  const at = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
  return [Math.round(Math.min(width, Math.max(0, at.x)) * 10) / 10,
    Math.round(Math.min(height, Math.max(0, at.y)) * 10) / 10];
}

// ``point`` moved by an arrow key: 1 clip pixel (10 with Shift), kept in the frame; null for other keys.
function nudgedPoint(point, event, width, height) {
  const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
  if (!step) return null;
  const k = event.shiftKey ? 10 : 1;
  return [Math.min(width, Math.max(0, point[0] + step[0] * k)), Math.min(height, Math.max(0, point[1] + step[1] * k))];
}

// The zoom lens: ``image`` around the clip point ``at`` (``scale`` image pixels per clip pixel),
// ×LENS_ZOOM in clip pixels, with a cross-hair in the point's colour.
function drawLens(lens, image, at, scale, color) {
  const ctx = lens.getContext("2d");
  ctx.fillStyle = "#0b0f14";
  ctx.fillRect(0, 0, lens.width, lens.height);
  if (!at || !image.complete || !image.naturalWidth) return;
  const span = lens.width / LENS_ZOOM;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(image, (at[0] - span / 2) * scale, (at[1] - span / 2) * scale, span * scale, span * scale, 0, 0, lens.width, lens.height);
  ctx.strokeStyle = color;
  ctx.beginPath();
  ctx.moveTo(lens.width / 2, 0); ctx.lineTo(lens.width / 2, lens.height);
  ctx.moveTo(0, lens.height / 2); ctx.lineTo(lens.width, lens.height / 2);
  ctx.stroke();
}
