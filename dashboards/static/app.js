// Keyboard triage for the queue and item pages: j/k move, Enter opens, c/d/e open the verdict
// dialog, ? shows help. No inline scripts: the page's CSP allows only this file.
"use strict";
(function () {
  const rows = Array.from(document.querySelectorAll("tr[data-item], article[data-item]"));
  const dialog = document.getElementById("verdict-dialog");
  const help = document.getElementById("help-dialog");
  let current = 0;

  function select(n) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, n));
    rows.forEach((r, i) => r.classList.toggle("sel", i === current));
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function openVerdict(verdict) {
    if (!dialog || !rows.length) return;
    const row = rows[current];
    document.getElementById("verdict-form").action = "/items/" + row.dataset.item + "/verdict";
    document.getElementById("verdict-choice").value = verdict;
    document.getElementById("verdict-item").textContent = row.dataset.title || "";
    const reason = document.getElementById("verdict-reason");
    reason.value = "";
    reason.required = verdict !== "escalate" && verdict !== "criticism";
    dialog.showModal();
    reason.focus();
  }

  document.getElementById("verdict-choice")?.addEventListener("change", (ev) => {
    const v = ev.target.value;
    document.getElementById("verdict-reason").required = v !== "escalate" && v !== "criticism";
  });
  document.querySelectorAll("[data-verdict]").forEach((b) =>
    b.addEventListener("click", () => openVerdict(b.dataset.verdict)));
  document.querySelectorAll("[data-close]").forEach((b) =>
    b.addEventListener("click", () => b.closest("dialog").close()));
  rows.forEach((r, i) => r.addEventListener("click", () => select(i)));

  document.addEventListener("keydown", (ev) => {
    const tag = (ev.target.tagName || "").toLowerCase();
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (["input", "select", "textarea"].includes(tag) || document.querySelector("dialog[open]")) return;
    const actions = {
      j: () => select(current + 1),
      k: () => select(current - 1),
      c: () => openVerdict("confirm_distorted"),
      d: () => openVerdict("dismiss"),
      e: () => openVerdict("escalate"),
      "?": () => help && help.showModal(),
      Enter: () => { const a = rows[current]?.querySelector("a"); if (a) a.click(); },
    };
    const act = actions[ev.key];
    if (act) { ev.preventDefault(); act(); }
  });
  select(0);
})();
