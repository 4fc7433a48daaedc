// Review page of one clip: job state until analysed, then video, timeline, flags, reps, notes.
"use strict";

const $ = (id) => document.getElementById(id);
const clipId = Number(location.pathname.split("/").filter(Boolean).pop());
const video = $("video");
const DOWNLOADS = [
  ["annotated.mp4", "Annotated video", "MP4"],
  ["report.html", "Report", "HTML"],
  ["report.json", "Report data", "JSON"],
  ["frames.csv", "Per-frame numbers", "CSV"],
  ["reps.csv", "Per-rep numbers", "CSV"],
  ["original", "Original upload", "video"],
];

let report = null, corrected = null, editor = null;

function seek(timeS) {
  video.currentTime = timeS;
}

async function load() {
  const clip = await api(`/api/clips/${clipId}`);
  const movement = movementName(clip.summary ? clip.summary.movement : clip.movement);
  document.title = `valgus · ${clip.athlete.name} · ${movement}`;
  $("title").textContent = `${clip.athlete.name} · ${movement}`;
  $("subtitle").textContent = `Session ${clip.session.label} · ${clip.original_name} · ${fmt(clip.duration_s, 1, " s")} · uploaded ${when(clip.created_at)}`;
  $("status").replaceChildren(jobChip(clip.job));
  $("compare-link").href = `/compare?athlete=${clip.athlete.id}&b=${clip.session.id}`;
  if (clip.job.state === "done" && clip.report) return showResult(clip);
  showJob(clip);
  if (clip.job.state !== "failed") setTimeout(load, 1000);
}

function showJob(clip) {
  const box = $("job-box");
  box.hidden = false;
  box.classList.toggle("failed", clip.job.state === "failed");
  if (clip.job.state === "failed") {
    box.replaceChildren(el("div", {}, el("strong", { text: "The analysis failed. " }), el("span", { text: clip.job.error || "" })),
      el("button", { onclick: async () => { await api(`/api/clips/${clipId}/retry`, { method: "POST" }); load(); }, text: "Retry" }));
  } else {
    const text = clip.job.state === "queued" ? "Waiting for its turn in the queue…" : `Analysing… ${fmt(clip.job.elapsed_s, 0, " s")} so far`;
    box.replaceChildren(jobChip(clip.job), el("span", { class: "muted", text }));
  }
}

async function showResult(clip) {
  report = clip.report;
  $("job-box").hidden = true;
  $("result").hidden = false;
  $("reps-card").hidden = report.reps.length === 0;
  $("reps-title").textContent = report.movement === "single-leg-stance" ? "Holds" : "Reps";
  video.src = clip.files["annotated.mp4"] || clip.files.original;
  if (clip.files["report.html"]) {
    $("open-report").href = clip.files["report.html"];
    $("open-report").hidden = false;
  }
  $("disclaimer").textContent = report.disclaimer;
  renderFlags(report.flags);
  await loadCorrections();
  $("downloads").replaceChildren(...DOWNLOADS.filter(([name]) => clip.files[name]).map(([name, label, kind]) =>
    el("li", {}, el("a", { href: `${clip.files[name]}?download=1`, download: "" }, label, el("span", { text: kind })))));
  const series = await api(`/api/clips/${clipId}/timeline`);
  drawTimeline($("timeline"), series, report, video);
  startCorrections(series.time_s);
}

// The coach's corrections: the reps and verdicts with them in, and the editor's frame list.
async function loadCorrections() {
  corrected = await api(`/api/clips/${clipId}/corrections`);
  renderSummary(report);
  renderReps(report);
  const done = new Set(corrected.corrections.map((c) => c.frame));
  const select = $("editor-frame"), chosen = select.value;
  const options = [];
  for (const k of corrected.key_frames) {
    options.push([k.bottom, `Rep ${k.rep} · bottom`]);
    for (const side of ["left", "right"]) if (k[side] !== k.bottom) options.push([k[side], `Rep ${k.rep} · ${side} knee read here`]);
  }
  for (const c of corrected.corrections) if (!options.some(([f]) => f === c.frame)) options.push([c.frame, "paused frame"]);
  select.replaceChildren(...options.map(([frame, label]) =>
    el("option", { value: frame, text: `${label} (frame ${frame})${done.has(frame) ? " ✓ corrected" : ""}` })));
  if (chosen !== "") select.value = chosen;
}

function startCorrections(times) {
  $("editor-card").hidden = false;
  editor = startEditor({ clipId, times, video, onChange: loadCorrections });
  const first = $("editor-frame").value;
  if (first !== "") editor.open(Number(first)).catch((error) => { $("editor-status").textContent = error.message; });
  $("reference-export").addEventListener("click", () => { location.href = "/api/reference/export"; });
  $("corrections-download").href = `/api/clips/${clipId}/corrections/file`;
  $("corrections-import").addEventListener("change", async (event) => {
    const [file] = event.target.files;
    if (!file) return;
    try {
      const body = await file.text();
      const { imported } = await api(`/api/clips/${clipId}/corrections/import`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
      await loadCorrections();
      await editor.open(Number($("editor-frame").value));
      $("editor-status").textContent = `Imported ${imported} correction${imported === 1 ? "" : "s"} from ${file.name}.`;
    } catch (error) {
      $("editor-status").textContent = `Not imported: ${error.message}`;
    }
    event.target.value = "";
  });
}

function stat(label, value, detail, verdict) {
  return el("div", { class: "stat" }, el("div", { class: "k", text: label }),
    el("div", { class: "v" }, value, detail ? el("small", { text: ` ${detail}` }) : null), verdict ? chip(verdict) : null);
}

function kneeStat(label, side, s) {
  const c = corrected && corrected.summary[side];
  if (!c) return stat(label, fmt(s[side].mean_fppa_deg, 1, "°"), `worst rep ${fmt(s[side].worst_rep_fppa_deg, 1, "°")}`, s[side].verdict);
  const box = stat(label, fmt(c.mean_fppa_deg, 1, "°"), `model ${fmt(c.model_mean_fppa_deg, 1, "°")} · ${c.model_verdict}`, c.verdict);
  box.append(chip(`coach-corrected, ${c.reps_corrected} rep${c.reps_corrected > 1 ? "s" : ""}`, "coach"));
  return box;
}

// In a single-leg task with reps on both legs the numbers are the worse stance leg's: say which.
function pelvisDetail(s) {
  const mean = `mean ${fmt(s.pelvic_drop_deg_mean, 1, "°")}`;
  return (s.pelvis_by_stance || []).length > 1 ? `${mean} · standing on the ${s.pelvic_stance_side} leg` : mean;
}

function renderSummary(report) {
  const s = report.summary;
  const noun = report.movement === "single-leg-stance" ? "Holds" : "Reps";
  const d = s.side_difference;
  const sideNote = { real: "a real side difference", "too few reps": "too few reps to tell", "within error": "within measurement error" }[d.status] || d.status;
  $("summary").replaceChildren(
    kneeStat("Left knee FPPA", "left", s),
    kneeStat("Right knee FPPA", "right", s),
    stat("Pelvic drop", fmt(s.pelvic_drop_deg_max, 1, "°"), pelvisDetail(s), s.pelvic_verdict),
    stat(noun, String(report.reps.length), `left − right ${fmt(d.deg, 1, "°")}`, sideNote));
  $("warnings").replaceChildren(...report.quality.warnings.map((w) => el("li", { text: w })));
}

function renderFlags(flags) {
  const sorted = [...flags].sort((a, b) => a.start_s - b.start_s);
  $("flag-count").textContent = `(${sorted.length})`;
  if (!sorted.length) return $("flags").replaceChildren(el("li", { class: "muted small", text: "No flags: nothing crossed the thresholds." }));
  $("flags").replaceChildren(...sorted.map((f) => el("li", {},
    el("button", { class: "flag", type: "button", "data-start": f.start_s, onclick: () => seek(f.start_s) },
      el("span", { class: "dot", style: `background:${FLAG_COLORS[f.kind]}` }),
      el("span", { class: "what", text: FLAG_NAMES[f.kind] || f.kind }),
      chip(f.verdict),
      el("span"), el("span", { class: "when", text: `${fmt(f.start_s, 2)}–${fmt(f.end_s, 2)} s · peak ${fmt(f.peak_deg, 1, "°")}` })))));
}

function degCell(value, thresholds, readAt, coach) {
  // The rep's FPPA reading; * when read above the bottom (the leg hidden or turned there).
  // A coach's value replaces it, marked, with the model's beside it.
  if (coach && coach.coach_deg !== null) {
    const shown = degCell(coach.coach_deg, thresholds, null, null);
    shown.classList.add("corrected");
    shown.title = `coach-corrected by ${coach.coach} on frame ${coach.frame}; the model read ${fmt(value, 1, "°")}`;
    shown.append(el("small", { class: "model-num", text: ` model ${fmt(value, 1, "°")}` }));
    return shown;
  }
  const cls = value >= thresholds.fppa_marked_deg.value ? "bad-num" : value >= thresholds.fppa_above_deg.value ? "warn-num" : "";
  const mark = readAt === "above the bottom" ? "*" : "";
  return el("td", { class: `num ${cls}`, title: readAt ? `read ${readAt}` : "", text: fmt(value, 1, "°") + mark });
}

function renderReps(report) {
  const t = report.thresholds;
  const head = ["Rep", "Stance", "Time", "FPPA L", "FPPA R", "Left − right", "KASR vs standing", "Pelvic drop", "Flags"];
  const coach = (r, side) => corrected && corrected.reps.find((c) => c.index === r.index)?.[side];
  const rows = report.reps.map((r) => el("tr", { class: "clickable", title: "Play this rep", onclick: () => seek(r.start_s) },
    el("td", { text: String(r.index) }), el("td", { text: r.stance_side || "both" }),
    el("td", { class: "num", text: `${fmt(r.start_s, 2)}–${fmt(r.end_s, 2)} s` }),
    degCell(r.fppa_left_deg, t, r.fppa_left_read_at, coach(r, "left")), degCell(r.fppa_right_deg, t, r.fppa_right_read_at, coach(r, "right")),
    el("td", { class: "num", text: fmt(r.side_difference_deg, 1, "°") }),
    el("td", { class: "num", text: fmt(r.kasr_vs_standing, 2) }), el("td", { class: "num", text: fmt(r.pelvic_drop_deg, 1, "°") }),
    el("td", {}, ...r.flags.map((f) => chip(FLAG_NAMES[f.kind] || f.kind, verdictClass(f.verdict))))));
  $("reps").replaceChildren(el("thead", {}, el("tr", {}, head.map((h, i) => el("th", { class: i > 1 && i < 8 ? "num" : "", text: h })))),
    el("tbody", {}, rows));
}

async function loadNotes() {
  const { notes } = await api(`/api/clips/${clipId}/notes`);
  $("notes").replaceChildren(...notes.slice().reverse().map((n) => el("li", {},
    el("div", { class: "meta" }, el("span", { text: when(n.created_at) }),
      el("button", { class: "link", type: "button", text: "Delete", onclick: async () => { await api(`/api/notes/${n.id}`, { method: "DELETE" }); loadNotes(); } })),
    el("span", { text: n.body }))));
}

$("note-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = $("note-body").value.trim();
  if (!body) return;
  try {
    await api(`/api/clips/${clipId}/notes`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ body }) });
    $("note-body").value = "";
    $("note-message").textContent = "Saved.";
    loadNotes();
  } catch (error) {
    $("note-message").textContent = `Not saved: ${error.message}`;
  }
});

$("delete-clip").addEventListener("click", async () => {
  if (!confirm("Delete this clip with its results, notes and corrections? This cannot be undone.")) return;
  try {
    await api(`/api/clips/${clipId}`, { method: "DELETE" });
    location.href = "/";
  } catch (error) {
    $("status").replaceChildren(el("span", { class: "error small", text: `Not deleted: ${error.message}` }));
  }
});

load().catch((error) => { $("title").textContent = `Cannot load clip ${clipId}: ${error.message}`; });
loadNotes().catch(() => {});
