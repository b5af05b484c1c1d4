// Early-warning incidents: on the authority's and police's desks a queue grouped by status (newest first)
// and each incident's page with the assessment form; on a company's desk its own incidents with their
// status and the answer. "Send an alert from this incident" opens the alert form prefilled, with the
// incident as its ref. The queue and the page redraw when an incident or an assessment arrives.
import { get, post, Refusal } from "./api.js";
import { el, clear, tlpLabel, when } from "./dom.js";
import { t, language } from "./i18n.js";
import { showPost } from "./post.js";
import { fieldTerm } from "./labels.js";

const statuses = ["new", "assessing", "closed"];
const outcomes = ["unfounded", "confirmed", "inconclusive", "referred"];
// What is on screen: the queue, or one incident's page (with its id).
let shown = null;

function badge(status) {
  return el("span", { class: "inc-status inc-" + status, text: t("inc.status." + status) });
}

function outcomeText(outcome) {
  return outcome ? t("inc.outcome." + outcome) : "";
}

function row(item) {
  const s = item.summary;
  const answer = item.current?.answer;
  return el("li", { class: "inc-row", "data-id": s.id, "data-status": item.status },
    el("span", { class: "time", text: when(s.createdMilliseconds, language()) }),
    el("span", {}, tlpLabel(s.tlp)),
    badge(item.status),
    el("a", { class: "title", href: "#incident/" + encodeURIComponent(s.id), text: s.title }),
    el("span", { class: "who", text: t("inc.reported") + " " + s.author + " · " + s.organisation }),
    answer ? el("p", { class: "inc-answer-line", text: t("inc.answerFor") + ": " + answer }) : null);
}

async function drawQueue(view) {
  const [queue, who] = await Promise.all([get("incidents"), get("me")]);
  if (!shown || shown.page !== "queue" || !document.body.contains(shown.node)) return;
  const node = shown.node;
  clear(node);
  if (queue.mayAssess) {
    for (const status of statuses) {
      const items = queue.incidents.filter((i) => i.status === status);
      node.append(el("section", { class: "inc-group", id: "inc-group-" + status },
        el("h2", {}, t("inc.group." + status) + " ", el("span", { class: "quiet", text: "(" + items.length + ")" })),
        items.length ? el("ol", { class: "feed incidents" }, items.map(row)) : el("p", { class: "quiet", text: t("inc.none") })));
    }
  } else {
    const mine = queue.incidents.filter((i) => i.summary.author === who.node.name);
    node.append(el("p", {}, el("a", { href: "#post/incident", id: "inc-file", text: t("inc.file") })),
      mine.length ? el("ol", { class: "feed incidents", id: "inc-mine" }, mine.map(row)) : el("p", { class: "quiet", text: t("inc.none") }));
  }
}

/** The queue (`#incidents`). */
async function showQueue(view) {
  clear(view);
  const node = el("div", { id: "inc-queue" });
  shown = { page: "queue", node };
  const who = await get("me");
  const company = who.node.role === "company";
  view.append(el("h1", { text: t(company ? "inc.mine" : "inc.title") }), node);
  await drawQueue(view);
}

function assessment(a) {
  return el("li", { class: "inc-assessment", "data-id": a.id },
    el("p", {}, badge(a.status), a.outcome ? " " + outcomeText(a.outcome) : "",
      el("span", { class: "quiet", text: " — " + when(a.time_ms, language()) + " " + t("entry.by") + " " + a.by + (a.officer ? " (" + a.officer + ")" : "") })),
    a.protective_action ? el("p", { text: t("inc.action") + ": " + a.protective_action }) : null,
    a.answer ? el("p", { text: t("inc.answerFor") + ": " + a.answer }) : null);
}

function assessForm(view, id, current) {
  const error = (name) => el("p", { class: "error field-error", role: "alert", "data-error": name });
  const form = el("form", { id: "assess-form", novalidate: true },
    el("h2", { text: t("inc.assess") }),
    el("p", { class: "quiet", text: t("inc.visible") }),
    el("p", { class: "error", id: "assess-error", role: "alert" }),
    el("div", { class: "form-field", "data-field": "status" }, el("label", { for: "a-status", text: t("inc.statusLabel") }),
      el("select", { id: "a-status", name: "status" }, statuses.map((s) => el("option", { value: s, text: t("inc.status." + s), selected: s === (current?.status === "new" || !current ? "assessing" : current.status) }))),
      error("status")),
    el("div", { class: "form-field", "data-field": "outcome" }, el("label", { for: "a-outcome", text: t("inc.outcome") }),
      el("select", { id: "a-outcome", name: "outcome" }, el("option", { value: "", text: t("inc.noOutcome") }),
        outcomes.map((o) => el("option", { value: o, text: outcomeText(o), selected: o === current?.outcome }))),
      error("outcome")),
    el("div", { class: "form-field", "data-field": "protective_action" }, el("label", { for: "a-action", text: t("inc.action") }),
      el("textarea", { id: "a-action", name: "protective_action", rows: 2, text: current?.protective_action ?? "" }), error("protective_action")),
    el("div", { class: "form-field", "data-field": "answer" }, el("label", { for: "a-answer", text: t("inc.answer") }),
      el("textarea", { id: "a-answer", name: "answer", rows: 3, text: current?.answer ?? "" }), error("answer")),
    el("button", { type: "submit", id: "assess-submit", text: t("inc.submit") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const slot of form.querySelectorAll(".error")) slot.textContent = "";
    const fields = { status: form.elements.status.value };
    for (const name of ["outcome", "protective_action", "answer"]) {
      const value = form.elements[name].value.trim();
      if (value) fields[name] = value;
    }
    try {
      await post("compose", { kind: "assessment", fields, refs: [id] });
      await showIncident(view, id);
    } catch (refusal) {
      if (!(refusal instanceof Refusal)) throw refusal;
      const slot = (refusal.field && form.querySelector(`[data-error="${CSS.escape(refusal.field)}"]`)) || form.querySelector("#assess-error");
      slot.textContent = refusal.message;
    }
  });
  return form;
}

async function drawIncident(view, id) {
  const detail = await get("incident", { id });
  if (!shown || shown.page !== "incident" || shown.id !== id || !document.body.contains(shown.node)) return;
  const node = shown.node;
  const s = detail.entry.summary;
  const current = detail.status.assessments[detail.status.assessments.length - 1];
  clear(node);
  node.append(
    el("h1", {}, tlpLabel(s.tlp), " ", el("span", { id: "inc-title", text: s.title })),
    el("p", { class: "quiet", text: t("inc.reported") + " " + s.author + " · " + s.organisation + (s.officer ? " · " + s.officer : "") + " · " + when(s.createdMilliseconds, language()) }),
    el("div", { class: "inc-now", id: "inc-now" },
      el("p", {}, el("strong", { text: t("inc.statusLabel") + ": " }), badge(detail.status.status),
        current?.outcome ? el("span", { id: "inc-outcome", text: " · " + t("inc.outcome") + ": " + outcomeText(current.outcome) }) : null),
      current?.protective_action ? el("p", { id: "inc-action", text: t("inc.action") + ": " + current.protective_action }) : null,
      current?.answer
        ? el("p", { class: "inc-answer", id: "inc-answer" }, el("strong", { text: t("inc.answerFor") + ": " }), current.answer)
        : el("p", { class: "quiet", id: "inc-no-answer", text: t("inc.noAnswer") })),
    el("h2", { text: t("inc.fields") }),
    el("dl", { class: "fields" }, detail.entry.fields.map((f) => [el("dt", { text: fieldTerm(f.path, language()), title: f.path }), el("dd", { text: f.value })])),
    el("h2", { text: t("inc.assessments") }),
    detail.status.assessments.length
      ? el("ol", { class: "inc-assessments" }, [...detail.status.assessments].reverse().map(assessment))
      : el("p", { class: "quiet", text: t("entry.none") }),
    ...(detail.maySendAlert ? [el("p", {}, el("a", { href: "#incident-alert/" + encodeURIComponent(id), id: "inc-send-alert", text: t("inc.sendAlert") }))] : []),
    ...(detail.mayAssess ? [assessForm(view, id, current)] : []));
}

/** One incident (`#incident/ID`): what was reported, where it stands, the assessments and the form. */
async function showIncident(view, id) {
  clear(view);
  const node = el("div", { id: "inc-page" });
  shown = { page: "incident", id, node };
  view.append(el("p", {}, el("a", { href: "#incidents", text: t("inc.back") })), node);
  await drawIncident(view, id);
}

/** The alert form prefilled from incident `id`, which becomes the alert's ref (`#incident-alert/ID`). */
async function showAlertFrom(view, id) {
  shown = null;
  const detail = await get("incident", { id });
  const f = detail.entry.current ?? {};
  const area = { description: f.location?.description ?? "" };
  if (typeof f.location?.lat === "number" && typeof f.location?.lon === "number") {
    area.circles = [{ lat: f.location.lat, lon: f.location.lon, radius_m: 1000 }];
  }
  const values = {
    event: "Incident: " + (f.category ?? "other"), status: "actual", urgency: "expected", severity: "moderate", certainty: "likely",
    categories: ["security"], areas: [area], description: f.description, headline: String(f.description ?? "").slice(0, 160),
  };
  await showPost(view, "alert", { values, refs: [id], note: t("inc.fromIncident") + " " + detail.entry.summary.title });
}

/** The incidents pages: `#incidents`, `#incident/ID`, `#incident-alert/ID`. */
export function showIncidents(view, hash) {
  if (hash.startsWith("#incident/")) return showIncident(view, decodeURIComponent(hash.slice("#incident/".length)));
  if (hash.startsWith("#incident-alert/")) return showAlertFrom(view, decodeURIComponent(hash.slice("#incident-alert/".length)));
  return showQueue(view);
}

// One redraw at a time: arrivals during a redraw (a burst after a partition heals) ask for one more.
let redrawing = null;
let redrawAgain = false;

function redraw() {
  if (redrawing) { redrawAgain = true; return; }
  const draw = shown.page === "queue" ? drawQueue(null) : drawIncident(null, shown.id);
  redrawing = Promise.resolve(draw).finally(() => {
    redrawing = null;
    if (redrawAgain && shown && document.body.contains(shown.node)) { redrawAgain = false; redraw(); }
    redrawAgain = false;
  });
}

/** A live entry: an incident or an assessment redraws the queue or the incident on screen. */
export function incidentEntryArrived(entry) {
  if (!shown || !document.body.contains(shown.node) || (entry.kind !== "incident" && entry.kind !== "assessment")) return;
  if (shown.page === "queue" || entry.kind === "assessment") redraw();
}
