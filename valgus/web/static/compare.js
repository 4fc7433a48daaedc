// Compare page: two sessions of one athlete, per movement, videos side by side with the numbers.
"use strict";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let athletes = [];

function message(text) {
  $("message").textContent = text;
  $("message").hidden = !text;
}

async function init() {
  athletes = (await api("/api/athletes")).athletes.filter((a) => a.sessions.length);
  if (!athletes.length) {
    message("No sessions yet: upload clips first.");
    return;
  }
  $("athlete").replaceChildren(...athletes.map((a) => el("option", { value: a.id, text: a.name })));
  if (athletes.some((a) => String(a.id) === params.get("athlete"))) $("athlete").value = params.get("athlete");
  fillSessions(params.get("a"), params.get("b"));
  $("athlete").addEventListener("change", () => { fillSessions(); compare(); });
  $("a").addEventListener("change", compare);
  $("b").addEventListener("change", compare);
  compare();
}

function fillSessions(a, b) {
  const athlete = athletes.find((x) => String(x.id) === $("athlete").value);
  for (const id of ["a", "b"]) {
    $(id).replaceChildren(...athlete.sessions.map((s) => el("option", { value: s.id, text: `${s.label} (${s.clips} clip${s.clips === 1 ? "" : "s"})` })));
  }
  const ids = athlete.sessions.map((s) => String(s.id));
  $("b").value = ids.includes(b) ? b : ids[0];
  $("a").value = ids.includes(a) && a !== $("b").value ? a : ids.find((id) => id !== $("b").value) || ids[0];
}

function side(clip, label, movement) {
  if (!clip) return el("div", { class: "empty", text: `No analysed ${movementName(movement).toLowerCase()} in ${label}.` });
  return el("div", {},
    el("video", { src: `/files/clips/${clip.id}/annotated.mp4`, controls: true, muted: true, playsinline: true, preload: "metadata" }),
    el("div", { class: "cap" }, el("strong", { text: label }), el("a", { href: clip.review_url, text: "Review clip →" })));
}

function change(row) {
  if (row.delta === null || row.delta === undefined) return el("td", { class: "num muted", text: row.a === row.b ? "same" : "" });
  const sign = row.delta > 0 ? "+" : "";
  return el("td", { class: "num" }, `${sign}${fmt(row.delta, row.unit ? 1 : 0)}${row.unit === "deg" ? "°" : row.unit ? ` ${row.unit}` : ""} `,
    row.real_change === null ? null : chip(row.real_change ? "real change" : `within ${row.sdd}° SDD`, row.real_change ? "run" : ""));
}

function value(row, v) {
  if (typeof v === "string") return el("td", { class: "num" }, chip(v));
  return el("td", { class: "num", text: row.unit === "deg" ? fmt(v, 1, "°") : row.unit ? fmt(v, 2, ` ${row.unit}`) : fmt(v, 0) });
}

function pairCard(pair, labels) {
  const videos = el("div", { class: "pair-videos" }, side(pair.a, labels.a, pair.movement), side(pair.b, labels.b, pair.movement));
  const playBoth = el("button", { type: "button", text: "Play both from the start", onclick: () => {
    for (const v of videos.querySelectorAll("video")) { v.currentTime = 0; v.play(); }
  } });
  const table = pair.rows.length ? el("table", { class: "table" },
    el("thead", {}, el("tr", {}, el("th", { text: "Measure" }), el("th", { class: "num", text: labels.a }),
      el("th", { class: "num", text: labels.b }), el("th", { class: "num", text: "Change" }))),
    el("tbody", {}, pair.rows.map((r) => el("tr", {}, el("td", { text: r.label }), value(r, r.a), value(r, r.b), change(r)))))
    : el("p", { class: "muted small", text: "Numbers appear when both sessions have an analysed clip of this movement." });
  return el("section", { class: "card" },
    el("div", { class: "card-head" }, el("h2", { text: movementName(pair.movement) }), playBoth), videos, table);
}

async function compare() {
  const a = $("a").value, b = $("b").value;
  history.replaceState(null, "", `/compare?athlete=${$("athlete").value}&a=${a}&b=${b}`);
  $("pairs").replaceChildren();
  if (a === b) {
    message("This athlete has one session so far: pick two different sessions to compare.");
    return;
  }
  try {
    const data = await api(`/api/compare?a=${a}&b=${b}`);
    message(data.pairs.length ? "" : "No analysed clips in these sessions yet.");
    $("pairs").replaceChildren(...data.pairs.map((p) => pairCard(p, { a: data.a.label, b: data.b.label })));
  } catch (error) {
    message(error.message);
  }
}

init();
