// Post forms generated from the kind schemas (GET /api/post-setup), with the kind's default audience and
// an audience picker; amendments of this node's entries. A refusal shows its reason next to the field it
// names — the same field path and sentence `vigil post` gives.
import { get, post, Refusal } from "./api.js";
import { el, clear } from "./dom.js";
import { t, language } from "./i18n.js";
import { fieldLabel, kindTitle } from "./labels.js";

let setup = null;

async function postSetup() {
  if (!setup) setup = await get("post-setup");
  return setup;
}

function lookup(object, path) {
  return path.split(".").reduce((o, part) => (o === undefined || o === null ? undefined : o[part]), object);
}

function setPath(object, path, value) {
  const parts = path.split(".");
  let node = object;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts[parts.length - 1]] = value;
}

function control(field, value) {
  const base = { name: field.path, id: "f-" + field.path, "data-path": field.path, "aria-required": field.required ? "true" : null };
  const text = value === undefined || value === null ? "" : value;
  switch (field.input) {
    case "long-text": return el("textarea", { ...base, rows: 4, text });
    case "lines": return el("textarea", { ...base, rows: 3, text: Array.isArray(value) ? value.join("\n") : text });
    case "json": return el("textarea", { ...base, rows: 3, class: "mono", text: value === undefined ? "" : JSON.stringify(value) });
    case "choice":
      return el("select", base, el("option", { value: "", text: "—" }),
        field.choices.map((c) => el("option", { value: c, text: c, selected: c === value })));
    case "bool":
      return el("select", base, el("option", { value: "", text: "—" }),
        el("option", { value: "true", text: t("post.yes"), selected: value === true }),
        el("option", { value: "false", text: t("post.no"), selected: value === false }));
    case "integer": return el("input", { ...base, type: "text", inputmode: "numeric", value: text });
    case "decimal": return el("input", { ...base, type: "text", inputmode: "decimal", value: text });
    case "time": return el("input", { ...base, type: "text", placeholder: "2026-11-24T10:00:00Z", value: text });
    default: return el("input", { ...base, type: "text", value: text });
  }
}

/** The value typed for `field`, in the kind's human JSON form; undefined when left empty. */
function valueOf(field, node) {
  const text = node.value.trim();
  if (text === "") return undefined;
  switch (field.input) {
    // A number that does not parse is sent as typed: the node refuses it with the field and the reason.
    case "integer": return /^-?\d+$/.test(text) ? Number(text) : text;
    case "decimal": return Number.isFinite(Number(text)) ? Number(text) : text;
    case "bool": return text === "true";
    case "lines": return text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
    case "json":
      try { return JSON.parse(text); } catch { throw new Refusal(400, field.path, t("post.badJSON")); }
    default: return text;
  }
}

function fieldRow(field, value) {
  return el("div", { class: "form-field", "data-field": field.path },
    // The field's name in the officer's language, and its schema name (as `vigil post` takes it) in small print.
    el("label", { for: "f-" + field.path }, el("span", { class: "field-label", text: fieldLabel(field.path, language()) }), " ",
      el("small", { class: "path", text: field.path }),
      field.required ? el("span", { class: "required", title: t("post.required"), text: " *" }) : null),
    control(field, value),
    el("p", { class: "help quiet", text: field.help }),
    el("p", { class: "error field-error", role: "alert" }));
}

/** Shows a refusal next to the field it names (the longest form path it starts with), else above the form. */
function showRefusal(form, refusal) {
  for (const node of form.querySelectorAll(".field-error, #post-error")) node.textContent = "";
  const paths = [...form.querySelectorAll("[data-field]")].map((n) => n.dataset.field);
  const target = refusal.field
    ? paths.filter((p) => refusal.field === p || refusal.field.startsWith(p + ".") || refusal.field.startsWith(p + "[")).sort((a, b) => b.length - a.length)[0]
    : undefined;
  const slot = target ? form.querySelector(`[data-field="${CSS.escape(target)}"] .field-error`) : form.querySelector("#post-error");
  slot.textContent = refusal.message;
  (target ? form.querySelector(`[data-field="${CSS.escape(target)}"] [data-path]`) : slot).focus?.();
}

function audiencePicker(form, s, picked) {
  const checks = (name, values) => el("div", { class: "checks" },
    values.map((v) => el("label", {}, el("input", { type: "checkbox", name, value: v, checked: picked?.[name]?.includes(v) }), " " + v)));
  const organisations = [...new Set(s.members.map((m) => m.organisation))].sort();
  const fallback = form.defaultTLP + (form.defaultRoles.length ? " → " + form.defaultRoles.join(", ") : "");
  return el("fieldset", { class: "audience" },
    el("legend", { text: t("post.audience") }),
    el("p", {}, el("strong", { text: t("post.default") + " " }), el("span", { id: "default-audience", text: fallback })),
    el("p", { class: "quiet", text: form.audienceReason }),
    el("label", {}, t("post.tlp") + " ", el("select", { name: "tlp", id: "audience-tlp" },
      el("option", { value: "", text: t("post.tlpDefault") }),
      ["clear", "green", "amber", "amber+strict", "red"].map((v) => el("option", { value: v, text: "TLP:" + v.toUpperCase(), selected: picked?.tlp === v })))),
    el("p", { class: "quiet", text: t("post.roles") }), checks("roles", s.roles),
    el("p", { class: "quiet", text: t("post.orgs") }), checks("organisations", organisations),
    el("p", { class: "quiet", text: t("post.nodes") }), checks("nodes", s.members.map((m) => m.name)));
}

function audienceOf(formNode) {
  const tlp = formNode.elements.tlp.value;
  if (!tlp) return undefined;
  const picked = (name) => [...formNode.querySelectorAll(`input[name="${name}"]:checked`)].map((n) => n.value);
  return { tlp, roles: picked("roles"), organisations: picked("organisations"), nodes: picked("nodes") };
}

/**
 * The kind picker (`#post`) or the form of one kind (`#post/KIND`). `prefill` (the reply and follow-up
 * shortcuts) starts the form from `values` (the kind's human JSON form), with `audience` picked and
 * `refs` sent with the post; `heading` says what it answers, `note` (the incident's alert) is shown above
 * the form.
 */
export async function showPost(view, kind, prefill = null) {
  clear(view);
  const s = await postSetup();
  view.append(el("h1", { text: prefill?.title ?? t("post.title") }),
    prefill ? el("p", { id: "post-context" }, prefill.heading) :
      el("nav", { class: "kinds" }, s.forms.map((f) => el("a", { href: "#post/" + f.kind, class: f.kind === kind ? "current" : null, text: kindTitle(f.kind, f.title, language()) }))));
  const form = s.forms.find((f) => f.kind === kind);
  if (!form) return;
  const node = el("form", { id: "post-form", novalidate: true },
    el("h2", { text: kindTitle(form.kind, form.title, language()) }),
    ...(prefill?.note ? [el("p", { class: "quiet", id: "post-note", text: prefill.note })] : []),
    el("p", { class: "error", id: "post-error", role: "alert", tabindex: "-1" }),
    form.fields.map((f) => fieldRow(f, prefill ? lookup(prefill.values, f.path) : undefined)),
    audiencePicker(form, s, prefill?.audience),
    el("button", { type: "submit", id: "post-submit", text: t("post.submit") }));
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const fields = {};
      for (const f of form.fields) {
        const value = valueOf(f, node.elements[f.path]);
        if (value !== undefined) setPath(fields, f.path, value);
      }
      const answer = await post("compose", { kind: form.kind, fields, audience: audienceOf(node), refs: prefill?.refs });
      window.location.hash = "#entry/" + answer.id;
    } catch (error) {
      if (error instanceof Refusal) showRefusal(node, error); else throw error;
    }
  });
  view.append(node);
}

/** The amendment form of one of this node's entries (`#amend/ID`): its current values; what changed is sent. */
export async function showAmend(view, id) {
  clear(view);
  const [s, detail] = await Promise.all([postSetup(), get("entry", { id })]);
  const form = s.forms.find((f) => f.kind === detail.summary.kind);
  view.append(el("p", {}, el("a", { href: "#entry/" + encodeURIComponent(id), text: t("amend.back") })),
    el("h1", { text: t("amend.title") + " — " + detail.summary.title }));
  if (!form || !detail.mayAmend) {
    view.append(el("p", { class: "quiet", text: t("amend.not") }));
    return;
  }
  const top = (path) => path.split(".")[0];
  const node = el("form", { id: "amend-form", novalidate: true },
    el("p", { class: "error", id: "post-error", role: "alert", tabindex: "-1" }),
    form.fields.map((f) => fieldRow(f, lookup(detail.current, f.path))),
    el("button", { type: "submit", id: "amend-submit", text: t("amend.submit") }));
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const after = {};
      for (const f of form.fields) {
        const value = valueOf(f, node.elements[f.path]);
        if (value !== undefined) setPath(after, f.path, value);
      }
      // Amendments replace whole top-level fields: send those whose value changed.
      const amend = {};
      for (const name of new Set(form.fields.map((f) => top(f.path)))) {
        if (JSON.stringify(after[name]) !== JSON.stringify(detail.current?.[name]) && after[name] !== undefined) amend[name] = after[name];
      }
      if (Object.keys(amend).length === 0) throw new Refusal(400, null, t("amend.nothing"));
      await post("compose", { kind: "update", fields: { amend }, refs: [id] });
      window.location.hash = "#entry/" + encodeURIComponent(id);
    } catch (error) {
      if (error instanceof Refusal) showRefusal(node, error); else throw error;
    }
  });
  view.append(node);
}
