/* The 校验 and 汇总 page. */
"use strict";

const CHUNK = 40;              // files per request (the server takes at most 200)
const state = {entries: [], batches: [], busy: false};

function message(text) {
  const box = document.getElementById("message");
  box.textContent = text || "";
  box.hidden = !text;
}

function progress(done, total, text) {
  document.getElementById("busy").hidden = false;
  document.getElementById("progress").value = total ? Math.round(100 * done / total) : 0;
  document.getElementById("progress-text").textContent = text;
}

function fileRow(entry, index) {
  const readable = !entry.findings.some((f) => f.code === "not-a-form");
  const status = entry.errors ? "有错误" : (entry.warnings ? "仅警告" : "通过");
  const marked = readable
    ? el("a", {class: "marked", href: "/api/batches/" + entry.batch + "/" + entry.index + "/marked", download: ""},
        "下载带标记的副本")
    : el("span", {class: "muted", text: "无法读取，没有副本"});
  return el("tr", {class: "file-row " + (entry.errors ? "has-errors" : (entry.warnings ? "has-warnings" : "ok")),
                   "data-name": entry.path},
    el("td", {class: "name"}, el("a", {href: "#file-" + index, text: entry.path, onclick: () => {
      const box = document.querySelector("#file-" + index + " details");
      if (box) box.open = true;
    }})),
    el("td", {class: "city", text: entry.city || "未识别"}),
    el("td", {class: "errors num", text: entry.errors}),
    el("td", {class: "warnings num", text: entry.warnings}),
    el("td", {class: "actions"}, el("span", {class: "status", text: status}), " ", marked));
}

const OPEN_LIMIT = 20;          // more files than this at once: each file's findings open on a click

function fileDetails(entry, index, open) {
  const head = el("h3", {}, "■ " + entry.path + (entry.city ? "（" + entry.city + "）" : ""),
    el("span", {class: "counts", text: entry.findings.length
      ? "：错误 " + entry.errors + " 个，警告 " + entry.warnings + " 个" : "：通过，没有发现问题"}));
  const article = el("article", {class: "file", id: "file-" + index, "data-name": entry.path});
  if (!entry.findings.length) {
    article.append(head);
    return article;
  }
  const box = el("details", {open: open}, el("summary", {}, head));
  const fill = () => {
    if (box.dataset.filled) return;
    box.dataset.filled = "1";
    const table = findingsTable(entry);
    applyFilter(table, document.getElementById("severity").value);
    box.append(table);
  };
  if (open) fill();
  else box.addEventListener("toggle", () => { if (box.open) fill(); });
  article.append(box);
  return article;
}

function render(added, open) {
  /* Append the rows and findings of ``added`` entries (all of them when not given), then update the totals. */
  const rows = document.querySelector("#file-table tbody");
  const details = document.getElementById("details");
  if (!added) {
    setChildren(rows);
    setChildren(details);
    added = state.entries;
    open = state.entries.length <= OPEN_LIMIT;
  }
  const first = state.entries.length - added.length;
  const newRows = document.createDocumentFragment();
  const newDetails = document.createDocumentFragment();
  added.forEach((entry, i) => {
    newRows.append(fileRow(entry, first + i));
    newDetails.append(fileDetails(entry, first + i, open));
  });
  const severity = document.getElementById("severity").value;
  if (severity !== "all") applyFilter(newDetails, severity);
  rows.append(newRows);
  details.append(newDetails);
  const errors = state.entries.reduce((n, e) => n + e.errors, 0);
  const warnings = state.entries.reduce((n, e) => n + e.warnings, 0);
  const withErrors = state.entries.filter((e) => e.errors).length;
  document.getElementById("totals").textContent = "共校验 " + state.entries.length + " 个文件：错误 " + errors +
    " 个，警告 " + warnings + " 个" + (withErrors ? "；" + withErrors + " 个文件有错误，请按下面的说明修改后再提交"
    : "。没有错误，可以提交");
  const any = state.entries.length > 0;
  document.getElementById("results").hidden = !any;
  document.getElementById("toolbar").hidden = !any;
}

async function addFiles(chosen) {
  if (state.busy) return;
  state.busy = true;
  message("");
  document.getElementById("consolidation").hidden = true;
  const failures = tooBig(chosen);
  const files = chosen.filter((f) => f.size <= MAX_FILE_MB * 1024 * 1024);
  const chunks = [];
  for (let start = 0; start < files.length; start += CHUNK) chunks.push(files.slice(start, start + CHUNK));
  let done = 0;
  const send = (part) => {
    const form = new FormData();
    for (const file of part) form.append("files", file, file.name);
    return postForm("/api/validate", form, (share) => progress(done + share * part.length * 0.5, files.length,
      "正在上传和校验：已完成 " + done + " / " + files.length + " 个文件"));
  };
  progress(0, files.length, "正在上传和校验：已完成 0 / " + files.length + " 个文件");
  try {
    // two requests in flight: the next part uploads while the server checks this one; rows keep their order
    let pending = chunks.length ? send(chunks[0]) : null;
    for (let k = 0; k < chunks.length; k++) {
      const next = k + 1 < chunks.length ? send(chunks[k + 1]) : null;
      const result = await pending;
      pending = next;
      done += chunks[k].length;
      progress(done, files.length, "正在上传和校验：已完成 " + done + " / " + files.length + " 个文件");
      if (result.status !== 200 || !result.data || !result.data.files) {
        failures.push(failure(result));
        continue;
      }
      state.batches.push(result.batch);
      result.data.files.forEach((entry, i) => { entry.batch = result.batch; entry.index = i; state.entries.push(entry); });
      render(result.data.files, files.length <= OPEN_LIMIT);
    }
  } finally {
    state.busy = false;
    document.getElementById("busy").hidden = true;
  }
  if (failures.length) message(failures.join("\n"));
}

async function consolidate() {
  if (!state.batches.length) return;
  const button = document.getElementById("consolidate");
  button.disabled = true;
  message("");
  progress(0, 1, "正在汇总……");
  try {
    const result = await getJSON("/api/consolidate?format=json&batch=" + state.batches.join(","), {method: "POST"});
    if (result.status !== 200 || !result.data || !result.data.summary) {
      message(failure(result));
      return;
    }
    showConsolidation(result.data.summary, result.data.download);
  } finally {
    button.disabled = false;
    document.getElementById("busy").hidden = true;
  }
}

function clearAll() {
  state.entries = [];
  state.batches = [];
  document.getElementById("consolidation").hidden = true;
  message("");
  render();
}

document.addEventListener("DOMContentLoaded", async () => {
  setupDrop(document.getElementById("drop"), document.getElementById("files"), addFiles);
  document.getElementById("consolidate").addEventListener("click", consolidate);
  document.getElementById("clear").addEventListener("click", clearAll);
  document.getElementById("severity").addEventListener("change",
    (e) => applyFilter(document.getElementById("details"), e.target.value));
  const info = await getJSON("/api/info");
  if (info.data && info.data.desk) document.getElementById("desk-link").hidden = false;
  document.body.dataset.ready = "1";
});
