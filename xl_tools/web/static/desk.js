/* The 收表台 page: submit files with the submitter's name, see the 21 cities' status and history. */
"use strict";

const STATUS_CLASS = {"未报送": "none", "有错误": "has-errors", "仅警告": "has-warnings", "通过": "ok"};

function message(text) {
  const box = document.getElementById("message");
  box.textContent = text || "";
  box.hidden = !text;
}

function describe(sub) {
  return sub.received_at.replace("T", " ").slice(0, 19) + "　" + sub.file_name + "　" + sub.who + "　" + sub.status +
    "（错误 " + sub.errors + "，警告 " + sub.warnings + "）";
}

function links(sub) {
  return el("span", {class: "links"},
    el("a", {href: "/api/desk/files/" + sub.id, download: "", text: "原文件"}), " ",
    sub.readable ? el("a", {class: "marked", href: "/api/desk/files/" + sub.id + "/marked", download: "",
                           text: "带标记的副本"}) : null);
}

function cityRow(row) {
  const sub = row.latest;
  const history = el("td", {class: "history"});
  if (row.history.length) {
    history.append(el("details", {}, el("summary", {text: row.history.length + " 次"}),
      el("ol", {reversed: true}, ...row.history.map((h) => el("li", {"data-id": h.id}, describe(h), " ", links(h))))));
  }
  return el("tr", {class: "city-row " + STATUS_CLASS[row.status], "data-city": row.city},
    el("td", {class: "city", text: row.city}),
    el("td", {class: "status"}, el("span", {class: "pill " + STATUS_CLASS[row.status], text: row.status})),
    el("td", {class: "time", text: sub ? sub.received_at.replace("T", " ").slice(0, 19) : ""}),
    el("td", {class: "file", text: sub ? sub.file_name : ""}),
    el("td", {class: "who", text: sub ? sub.who : ""}),
    el("td", {class: "errors num", text: sub ? sub.errors : ""}),
    el("td", {class: "warnings num", text: sub ? sub.warnings : ""}),
    el("td", {}, sub ? links(sub) : ""),
    history);
}

async function refresh() {
  const result = await getJSON("/api/desk");
  if (result.status !== 200 || !result.data) { message(failure(result)); return; }
  const doc = result.data;
  setChildren(document.querySelector("#desk-table tbody"), doc.cities.map(cityRow));
  const c = doc.counts;
  document.getElementById("desk-counts").textContent = "共收到 " + doc.submissions + " 次报送。21 个地市：通过 " +
    c["通过"] + " 个，仅警告 " + c["仅警告"] + " 个，有错误 " + c["有错误"] + " 个，未报送 " + c["未报送"] + " 个";
  document.getElementById("other").hidden = !doc.unrecognised.length;
  setChildren(document.getElementById("other-list"),
    doc.unrecognised.map((s) => el("li", {}, describe(s), " ", links(s))));
  document.body.dataset.ready = "1";
}

async function submit(files) {
  const who = document.getElementById("who").value.trim();
  if (!who) { message("请先填写报送人姓名（如 广州市局 张三），再选择文件"); return; }
  try { localStorage.setItem("xl_tools_who", who); } catch (e) { /* private mode */ }
  const refused = tooBig(files);
  if (refused.length) { message(refused.join("\n")); return; }
  message("");
  const form = new FormData();
  form.append("who", who);
  for (const file of files) form.append("files", file, file.name);
  document.getElementById("busy").hidden = false;
  const result = await postForm("/api/desk", form, (share) => {
    document.getElementById("progress").value = Math.round(100 * share);
    document.getElementById("progress-text").textContent = share < 1 ? "正在上传……" : "正在校验并登记……";
  });
  document.getElementById("busy").hidden = true;
  if (result.status !== 200 || !result.data) { message(failure(result)); return; }
  const received = document.getElementById("received");
  received.textContent = "已收到：" + result.data.submissions.map((s) => s.file_name + "（" + (s.city || "未识别地市") +
    "，" + s.status + "）").join("；");
  received.hidden = false;
  await refresh();
}

async function consolidateLatest() {
  message("");
  const result = await getJSON("/api/desk/consolidate?format=json", {method: "POST"});
  if (result.status !== 200 || !result.data) { message(failure(result)); return; }
  showConsolidation(result.data.summary, result.data.download);
}

document.addEventListener("DOMContentLoaded", () => {
  try { document.getElementById("who").value = localStorage.getItem("xl_tools_who") || ""; } catch (e) { /* */ }
  setupDrop(document.getElementById("drop"), document.getElementById("files"), submit);
  document.getElementById("consolidate").addEventListener("click", consolidateLatest);
  refresh();
});
