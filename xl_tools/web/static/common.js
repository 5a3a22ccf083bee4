/* Shared helpers of the web pages (plain ES2017, no build step). */
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/* Replace a node's children (Element.replaceChildren is missing in the older Chromium of some 信创 browsers). */
function setChildren(node, children) {
  while (node.firstChild) node.removeChild(node.firstChild);
  for (const child of children || []) node.append(child);
}

/* POST a FormData with upload progress; resolves {status, data, batch} (data: parsed JSON or null). */
function postForm(url, form, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.responseType = "text";
    if (onProgress) xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      resolve({status: xhr.status, data: data, batch: xhr.getResponseHeader("X-XL-Batch")});
    };
    xhr.onerror = () => resolve({status: 0, data: null, batch: null});
    xhr.send(form);
  });
}

async function getJSON(url, options) {
  try {
    const response = await fetch(url, Object.assign({cache: "no-store"}, options || {}));
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return {status: response.status, data: data};
  } catch (e) {
    return {status: 0, data: null};
  }
}

function failure(result) {
  if (result.data && result.data.error) return result.data.error;
  if (result.status === 0) return "无法连接服务器：请确认启动服务器的窗口还开着（xl-tools serve），然后刷新页面重试";
  return "服务器没有给出结果（状态 " + result.status + "）：请刷新页面重试";
}

const MAX_FILE_MB = 20;

/* Files the server would refuse for their size, said before uploading them (the server checks again). */
function tooBig(files) {
  return files.filter((f) => f.size > MAX_FILE_MB * 1024 * 1024).map((f) => "文件“" + f.name + "”超过 " + MAX_FILE_MB +
    " MB，未上传：绩效目标表通常只有几十 KB，请确认选对了文件（只保留绩效目标表所在的工作表后另存再上传）");
}

const LABELS = {error: "错误", warning: "警告", info: "提示"};

/* Where a finding is, as the command line prints it. */
function placeOf(finding, manySheets) {
  if (manySheets && finding.cell) return finding.sheet + "!" + finding.cell;
  return finding.cell || (finding.code === "not-a-form" ? "文件" : "整表");
}

/* The findings of one validate --json entry as a table (errors first, as the CLI lists them). */
function findingsTable(entry) {
  const sheets = new Set(entry.findings.map((f) => f.sheet).filter(Boolean));
  const body = el("tbody");
  for (const f of entry.findings) {
    body.append(el("tr", {class: "finding " + f.severity, "data-severity": f.severity},
      el("td", {class: "sev"}, el("span", {class: "badge " + f.severity, text: LABELS[f.severity] || f.severity})),
      el("td", {class: "cell", text: placeOf(f, sheets.size > 1)}),
      el("td", {class: "msg", text: f.message}),
      el("td", {class: "suggestion", text: f.suggestion || ""})));
  }
  return el("table", {class: "grid findings"},
    el("thead", {}, el("tr", {}, el("th", {text: "级别"}), el("th", {text: "单元格"}), el("th", {text: "说明"}),
      el("th", {text: "建议值"}))), body);
}

function applyFilter(root, severity) {
  for (const row of root.querySelectorAll("tr.finding")) {
    row.hidden = severity !== "all" && row.dataset.severity !== severity;
  }
}

function formatNumber(n) {
  if (n === null || n === undefined) return "—";
  return Number(n).toLocaleString("zh-CN", {maximumFractionDigits: 4});
}

function setupDrop(zone, input, onFiles) {
  input.addEventListener("change", () => { if (input.files.length) onFiles(Array.from(input.files)); input.value = ""; });
  for (const kind of ["dragenter", "dragover"]) {
    zone.addEventListener(kind, (e) => { e.preventDefault(); zone.classList.add("over"); });
  }
  for (const kind of ["dragleave", "drop"]) {
    zone.addEventListener(kind, (e) => { e.preventDefault(); zone.classList.remove("over"); });
  }
  zone.addEventListener("drop", (e) => {
    const files = Array.from((e.dataTransfer && e.dataTransfer.files) || []);
    if (files.length) onFiles(files);
  });
}

function showConsolidation(summary, download) {
  const box = document.getElementById("consolidation");
  const counts = summary.counts || {};
  document.getElementById("cons-head").textContent =
    "预算年度：" + (summary.year ? summary.year + "年" : "未填写") + "；已报送 " + (counts.reported || 0) +
    " 个地市，未报送 " + (counts.unreported || 0) + " 个" +
    ((summary.unreported || []).length ? "（" + summary.unreported.map((c) => c.city).join("、") + "）" : "");
  document.getElementById("cons-total").textContent = formatNumber(summary.total_funding_wan);
  document.getElementById("cons-download").href = download;
  const body = document.querySelector("#cons-cities tbody");
  setChildren(body, summary.cities.map((c) => el("tr", {},
    el("td", {text: c.city}), el("td", {class: "num", text: formatNumber(c.funding_wan)}),
    el("td", {class: "num", text: c.indicators}), el("td", {class: "num", text: c.errors}),
    el("td", {class: "num", text: c.warnings}))));
  const cross = document.getElementById("cross");
  const findings = summary.findings || [];
  document.getElementById("cross-head").textContent = findings.length ? "跨地市问题（" + findings.length + " 个）" : "跨地市问题：没有";
  setChildren(cross, findings.map((f) => el("li", {class: f.severity},
    el("span", {class: "badge " + f.severity, text: LABELS[f.severity] || f.severity}), " ", f.message)));
  box.hidden = false;
}
