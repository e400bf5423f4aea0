// Renders /openapi.json: operations by tag, parameters, request bodies and responses with
// their schemas (references resolved, expandable). No framework, no network beyond this
// server.
"use strict";

(function () {
  const $ = (tag, attrs, ...kids) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") el.className = v; else el.setAttribute(k, v);
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined) continue;
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  };

  let doc = null;

  function resolve(schema) {
    let s = schema;
    const seen = new Set();
    while (s && s.$ref && !seen.has(s.$ref)) {
      seen.add(s.$ref);
      const path = s.$ref.replace(/^#\//, "").split("/").map(decodeURIComponent);
      s = path.reduce((o, k) => (o ? o[k] : undefined), doc);
    }
    return s || {};
  }

  function refName(schema) {
    return schema && schema.$ref ? schema.$ref.split("/").pop() : null;
  }

  function typeOf(schema) {
    const name = refName(schema);
    const s = resolve(schema);
    if (name) return name;
    if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.type === "array") return typeOf(s.items || {}) + "[]";
    if (Array.isArray(s.type)) return s.type.join(" | ");
    if (s.oneOf || s.anyOf) return (s.oneOf || s.anyOf).map(typeOf).join(" | ");
    if (s.allOf) return s.allOf.map(typeOf).join(" & ");
    return s.type || (s.properties ? "object" : "any");
  }

  function schemaView(schema, depth) {
    const s = resolve(schema);
    const box = $("div", { class: "schema" });
    if (s.description && depth === 0) box.append($("div", { class: "desc" }, s.description));
    const variants = s.oneOf || s.anyOf;
    if (variants) {
      variants.forEach((v, i) => {
        const r = resolve(v);
        const label = (r.properties && r.properties.type && (r.properties.type.const || (r.properties.type.enum || [])[0])) || refName(v) || "variant " + (i + 1);
        const d = $("details", {}, $("summary", {}, "one of: ", $("code", {}, String(label))));
        d.addEventListener("toggle", () => { if (d.open && d.children.length === 1) d.append(schemaView(v, depth + 1)); });
        box.append(d);
      });
    }
    for (const part of s.allOf || []) box.append(schemaView(part, depth + 1));
    const props = s.properties || {};
    const required = new Set(s.required || []);
    for (const [name, p] of Object.entries(props)) {
      const r = resolve(p);
      const row = $("div", { class: "prop" },
        $("span", { class: "name" }, name), " ",
        $("span", { class: "type" }, typeOf(p)), " ",
        required.has(name) ? $("span", { class: "req" }, "required") : null,
        r.description || p.description ? $("div", { class: "desc" }, p.description || r.description) : null);
      const inner = r.type === "array" ? resolve(r.items || {}) : r;
      if (depth < 12 && (inner.properties || inner.oneOf || inner.anyOf || inner.allOf)) {
        const d = $("details", {}, $("summary", {}, "fields"));
        d.addEventListener("toggle", () => {
          if (d.open && d.children.length === 1) d.append(schemaView(r.type === "array" ? r.items : p, depth + 1));
        });
        row.append(d);
      }
      box.append(row);
    }
    if (s.type === "array" && depth === 0) box.append(schemaView(s.items || {}, depth + 1));
    return box;
  }

  function content(c) {
    const out = $("div");
    for (const [media, m] of Object.entries(c || {})) {
      out.append($("div", {}, $("code", {}, media), m.schema ? [" — ", $("code", {}, typeOf(m.schema))] : null));
      if (m.schema) {
        const d = $("details", {}, $("summary", {}, "schema"));
        d.addEventListener("toggle", () => { if (d.open && d.children.length === 1) d.append(schemaView(m.schema, 0)); });
        out.append(d);
      }
    }
    return out;
  }

  function operation(path, method, op, secured) {
    const id = (method + path).replace(/[^a-zA-Z0-9]+/g, "-");
    const sec = op.security !== undefined ? op.security.length > 0 : secured;
    const section = $("section", { class: "op", id, "data-text": (path + " " + (op.summary || "") + " " + (op.tags || []).join(" ")).toLowerCase() },
      $("h3", {}, $("span", { class: "method " + method }, method), $("span", { class: "path" }, path),
        $("span", { class: "summary" }, op.summary || ""), sec ? $("span", { class: "lock" }, "🔒 credential") : null));
    const body = $("div", { class: "body" });
    if (op.description) body.append($("p", {}, op.description));
    const params = op.parameters || [];
    if (params.length) {
      body.append($("h4", {}, "Parameters"));
      body.append($("table", {}, $("tr", {}, $("th", {}, "name"), $("th", {}, "in"), $("th", {}, "type"), $("th", {}, "description")),
        params.map((p0) => {
          const p = resolve(p0);
          return $("tr", {}, $("td", {}, $("code", {}, p.name), p.required ? " *" : ""), $("td", {}, p.in),
            $("td", {}, $("code", {}, p.schema ? typeOf(p.schema) : "")), $("td", { class: "desc" }, p.description || (p.schema && resolve(p.schema).description) || ""));
        })));
    }
    if (op.requestBody) {
      body.append($("h4", {}, "Request body"));
      body.append(content(resolve(op.requestBody).content));
    }
    body.append($("h4", {}, "Responses"));
    for (const [code, r0] of Object.entries(op.responses || {})) {
      const r = resolve(r0);
      const cls = code.startsWith("2") ? "ok" : "err";
      body.append($("div", {}, $("span", { class: "status " + cls }, code), " ", r.description || ""), content(r.content));
    }
    section.append(body);
    return { section, id };
  }

  function render() {
    const info = doc.info || {};
    document.getElementById("title").textContent = (info.title || "API") + " API";
    document.getElementById("description").textContent = info.description || "";
    document.getElementById("version").textContent = "version " + (info.version || "?") + " · OpenAPI " + doc.openapi;
    const secured = (doc.security || []).length > 0;
    const byTag = new Map((doc.tags || []).map((t) => [t.name, []]));
    for (const [path, item] of Object.entries(doc.paths || {})) {
      for (const method of ["get", "post", "put", "patch", "delete"]) {
        const op = item[method];
        if (!op) continue;
        const tag = (op.tags || ["other"])[0];
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag).push(operation(path, method, op, secured));
      }
    }
    const main = document.getElementById("ops");
    const toc = document.getElementById("toc");
    main.textContent = "";
    for (const [tag, ops] of byTag) {
      if (!ops.length) continue;
      const desc = ((doc.tags || []).find((t) => t.name === tag) || {}).description;
      main.append($("h2", {}, tag), desc ? $("p", { class: "desc" }, desc) : null);
      toc.append($("h2", {}, tag));
      for (const { section, id } of ops) {
        main.append(section);
        toc.append($("a", { href: "#" + id }, section.querySelector(".method").textContent.toUpperCase() + " " + section.querySelector(".path").textContent));
      }
    }
    document.getElementById("filter").addEventListener("input", (e) => {
      const q = e.target.value.trim().toLowerCase();
      for (const s of main.querySelectorAll("section.op")) s.hidden = q !== "" && !s.dataset.text.includes(q);
    });
  }

  fetch("/openapi.json")
    .then((r) => r.json())
    .then((d) => { doc = d; render(); })
    .catch((e) => { document.getElementById("ops").textContent = "Cannot load /openapi.json: " + e; });
})();
