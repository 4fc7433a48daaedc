// Helpers shared by the pages of valgus serve. User text only ever goes in as textContent.
"use strict";

// MOVEMENTS comes from /static/movements.js, made from valgus.movement.
const FLAG_NAMES = {
  collapse_left: "Left knee collapse",
  collapse_right: "Right knee collapse",
  pelvic_drop: "Pelvic drop",
};
const FLAG_COLORS = { collapse_left: "#2563eb", collapse_right: "#e8590c", pelvic_drop: "#8b5cf6" };

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw new Error((body && body.detail) || `${response.status} ${response.statusText}`);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "style") node.style.cssText = value; // CSSOM: allowed by the page's CSP
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function fmt(value, digits = 1, unit = "") {
  return value === null || value === undefined || Number.isNaN(value) ? "–" : `${Number(value).toFixed(digits)}${unit}`;
}

function seconds(value) {
  return fmt(value, 2, " s");
}

function verdictClass(verdict) {
  return { "within normal": "ok", "above normal range": "warn", marked: "bad" }[verdict] || "";
}

function chip(text, cls) {
  return el("span", { class: `chip ${cls ?? verdictClass(text)}`, text: text || "–" });
}

function movementName(value) {
  return MOVEMENTS[value] || value || "–";
}

function when(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

function bytes(n) {
  return n >= 1e6 ? `${+(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;
}

function jobChip(job) {
  if (job.state === "running") {
    const pct = Math.round((job.fraction || 0) * 100);
    return el("span", { class: "progress" }, chip(`analysing ${pct}%`, "run"),
      el("span", { class: "bar" }, el("span", { style: `width:${pct}%` })));
  }
  const cls = { queued: "", done: "ok", failed: "bad" }[job.state];
  return chip(job.state === "done" ? "analysed" : job.state, cls);
}
