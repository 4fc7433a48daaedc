// Upload page: pick athlete and movement, drop clips, watch the queue (state lives on the server).
"use strict";

const state = { config: null, athletes: [], pending: [], busy: false };
const $ = (id) => document.getElementById(id);
const FORM_FIELDS = ["athlete", "session", "movement", "sex"];

async function init() {
  state.config = await api("/api/config");
  for (const value of state.config.movements) $("movement").append(el("option", { value, text: movementName(value) }));
  // Defaults fill only what the user has not typed while the config was loading.
  const typed = (name) => $(name).tagName !== "SELECT" && $(name).value !== "";
  const saved = JSON.parse(localStorage.getItem("valgus.upload") || "{}");
  for (const name of FORM_FIELDS) if (saved[name] && !typed(name)) $(name).value = saved[name];
  if (!typed("session")) $("session").value = state.config.today;
  $("limits").textContent = `MP4, MOV, MKV, WebM or AVI · up to ${bytes(state.config.max_upload_bytes)}`;
  await loadAthletes();
  const drop = $("drop");
  drop.addEventListener("click", () => $("file-input").click());
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") $("file-input").click(); });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); addFiles(e.dataTransfer.files); });
  $("file-input").addEventListener("change", (e) => { addFiles(e.target.files); e.target.value = ""; });
  $("athlete").addEventListener("input", athleteChanged);
  $("upload-form").addEventListener("submit", (e) => { e.preventDefault(); uploadAll(); });
  refreshClips();
}

async function loadAthletes() {
  state.athletes = (await api("/api/athletes")).athletes;
  $("athlete-list").replaceChildren(...state.athletes.map((a) => el("option", { value: a.name })));
  athleteChanged();
}

function athleteChanged() {
  const name = $("athlete").value.trim().toLowerCase();
  const athlete = state.athletes.find((a) => a.name.toLowerCase() === name);
  $("session-list").replaceChildren(...(athlete ? athlete.sessions : []).map((s) => el("option", { value: s.label })));
  if (athlete && athlete.sex) $("sex").value = athlete.sex;
  updateButton();
}

function addFiles(files) {
  if (state.pending.every((p) => p.status !== "ready")) state.pending = [];
  for (const file of files) {
    const tooBig = file.size > state.config.max_upload_bytes;
    state.pending.push({ file, progress: 0, status: tooBig ? "refused" : "ready",
      message: tooBig ? `larger than the ${bytes(state.config.max_upload_bytes)} limit` : "" });
  }
  renderPending();
}

function renderPending() {
  const rows = state.pending.map((p) => {
    const cls = { refused: "bad", failed: "bad", queued: "ok", uploading: "run" }[p.status] || "";
    return el("li", {},
      el("span", { class: "name", title: p.file.name, text: p.file.name }),
      chip(p.status === "ready" ? bytes(p.file.size) : p.status, cls),
      p.status === "uploading" ? el("span", { class: "bar" }, el("span", { style: `width:${Math.round(p.progress * 100)}%` })) : null,
      p.message ? el("span", { class: `msg ${cls === "bad" ? "error" : "muted"}`, text: p.message }) : null);
  });
  $("pending").replaceChildren(...rows);
  updateButton();
}

function updateButton() {
  const ready = state.pending.filter((p) => p.status === "ready").length;
  $("upload-button").disabled = state.busy || !ready || !$("athlete").value.trim();
  $("upload-button").textContent = ready > 1 ? `Upload ${ready} clips` : "Upload";
  $("form-message").textContent = ready && !$("athlete").value.trim() ? "Enter the athlete's name first." : "";
}

function uploadOne(item) {
  const form = new FormData();
  for (const name of FORM_FIELDS) form.append(name, $(name).value.trim());
  form.append("file", item.file, item.file.name);
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/clips");
    xhr.upload.onprogress = (e) => { item.progress = e.lengthComputable ? e.loaded / e.total : 0; renderPending(); };
    xhr.onload = () => {
      let detail = "";
      try { detail = JSON.parse(xhr.responseText).detail || ""; } catch { detail = xhr.statusText; }
      item.status = xhr.status === 201 ? "queued" : "refused";
      item.message = xhr.status === 201 ? "uploaded, waiting for analysis" : detail;
      resolve();
    };
    xhr.onerror = () => { item.status = "failed"; item.message = "the upload was interrupted"; resolve(); };
    item.status = "uploading";
    renderPending();
    xhr.send(form);
  });
}

async function uploadAll() {
  state.busy = true;
  localStorage.setItem("valgus.upload", JSON.stringify(Object.fromEntries(FORM_FIELDS.map((n) => [n, $(n).value]))));
  updateButton();
  for (const item of state.pending.filter((p) => p.status === "ready")) {
    await uploadOne(item);
    renderPending();
    refreshClips();
  }
  state.busy = false;
  await loadAthletes();
  renderPending();
}

function fppaCell(side, clip) {
  const s = clip.summary;
  if (!s) return el("td", { class: "num muted", text: "–" });
  const value = s[`mean_fppa_${side}_deg`];
  return el("td", { class: "num" }, el("div", { class: "stack" }, el("span", { text: fmt(value, 1, "°") }), chip(s[`verdict_${side}`])));
}

function clipRow(clip) {
  const s = clip.summary;
  const status = el("td", {}, jobChip(clip.job), clip.job.error ? el("span", { class: "fail-msg", text: clip.job.error }) : null);
  return el("tr", { class: "clickable", onclick: () => { location.href = clip.review_url; } },
    el("td", { class: "nowrap" }, el("a", { href: clip.review_url, text: clip.athlete.name }),
      el("div", { class: "muted small", text: clip.session.label })),
    el("td", { class: "file" }, el("span", { text: movementName(s ? s.movement : clip.movement) }),
      el("div", { class: "muted small", title: clip.original_name, text: clip.original_name })),
    status, fppaCell("left", clip), fppaCell("right", clip),
    el("td", { class: "num" }, s ? el("div", { class: "stack" }, el("span", { text: fmt(s.pelvic_drop_deg_max, 1, "°") }), chip(s.pelvic_verdict)) : "–"));
}

async function refreshClips() {
  clearTimeout(state.timer);
  let active = false;
  try {
    const { clips } = await api("/api/clips?limit=100");
    $("clips").tBodies[0].replaceChildren(...clips.map(clipRow));
    $("no-clips").hidden = clips.length > 0;
    const count = (st) => clips.filter((c) => c.job.state === st).length;
    active = count("queued") + count("running") > 0;
    $("queue-summary").textContent = active ? `${count("running")} analysing · ${count("queued")} queued` : `${clips.length} clip${clips.length === 1 ? "" : "s"}`;
  } catch (error) {
    $("queue-summary").textContent = `Cannot reach the server: ${error.message}`;
  }
  state.timer = setTimeout(refreshClips, active ? 1000 : 5000);
}

init();
