// The scoring form: running totals per part and in all, the branch choice of set 26, and
// a live band/cap/stars preview from the plugin (POST .../preview, nothing stored).
// Without this script the form still works: the "Preview" button asks the server.
"use strict";
(function () {
  const form = document.getElementById("score");
  if (!form) return;
  const lang = form.getAttribute("data-lang") || "vi";
  const vi = lang === "vi";
  const fmt = function (n) {
    const s = (Math.round(n * 100) / 100).toString();
    return vi ? s.replace(".", ",") : s;
  };
  const t = function (v, e) { return vi ? v : e; };
  const stars = function (n) { return "★".repeat(n); };

  function branch() {
    const b = form.querySelector("input[name=branch]:checked");
    return b ? b.value : null;
  }

  function applyBranch() {
    const b = branch();
    form.querySelectorAll("fieldset.criterion[data-branch]").forEach(function (fs) {
      const on = b !== null && fs.getAttribute("data-branch") === b;
      fs.disabled = !on;
      fs.hidden = !on;
    });
  }

  function totals() {
    const parts = {};
    let all = 0;
    form.querySelectorAll("fieldset.criterion").forEach(function (fs) {
      if (fs.disabled) return;
      const part = fs.getAttribute("data-part");
      const chosen = fs.querySelector("input[type=radio]:checked");
      const p = chosen ? parseFloat(chosen.getAttribute("data-points")) || 0 : 0;
      parts[part] = (parts[part] || 0) + p;
      all += p;
    });
    ["A", "B", "C"].forEach(function (code) {
      const out = document.getElementById("total-" + code);
      if (out) out.textContent = fmt(parts[code] || 0);
    });
    const out = document.getElementById("total-all");
    if (out) out.textContent = fmt(all);
  }

  let timer = null;
  let seq = 0;
  function preview() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      const mine = ++seq;
      const body = new URLSearchParams(new FormData(form));
      body.delete("intent");
      fetch(form.getAttribute("data-preview"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: body,
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p || mine !== seq) return;
          const box = document.getElementById("preview");
          if (!box) return;
          box.replaceChildren();
          const line = function (label, value, strong) {
            const el = document.createElement("p");
            el.append(label);
            const v = document.createElement(strong ? "strong" : "span");
            v.textContent = value;
            el.append(v);
            box.append(el);
            return el;
          };
          if (p.complete) {
            line(t("Hạng theo điểm: ", "Band: "), p.band + " " + stars(p.band), true);
            line(t("Hạng tối đa theo mức tối thiểu: ", "Cap by minimum marks: "), p.cap + " " + stars(p.cap), true);
            if (p.knockouts && p.knockouts.length) {
              line(t("Bị loại: ", "Knocked out: "), p.knockouts.join(", "), false).className = "missing";
            }
            line(t("Kết quả: ", "Result: "), p.stars ? p.stars + " " + stars(p.stars) : t("không xếp hạng", "no stars"), true);
            ["A", "B", "C"].forEach(function (code) {
              const out = document.getElementById("total-" + code);
              if (out) out.textContent = fmt(p.parts[code.toLowerCase()]);
            });
            const all = document.getElementById("total-all");
            if (all) all.textContent = fmt(p.total);
          } else if (p.missing) {
            line("", t("Còn " + p.missing + " tiêu chí chưa chọn.", p.missing + " criteria left to answer."), false).className = "muted";
          } else if (p.error) {
            line("", p.error, false).className = "muted";
          }
        })
        .catch(function () { /* the totals above stay; the preview button still works */ });
    }, 250);
  }

  form.addEventListener("change", function (ev) {
    if (ev.target && ev.target.name === "branch") applyBranch();
    totals();
    preview();
  });
  applyBranch();
  totals();
  if (form.querySelector("input[type=radio]:checked")) preview();
})();
