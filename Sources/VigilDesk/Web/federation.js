// The federation (`#federation`): this node's peers — connected or not, who dialed, the route, lag in
// entries, last seen, round trip — and the roster's members (active, revoked, rotated keys). On the
// authority's desk, forms to add, revoke and rotate members, sent as the same roster entries
// `vigil roster add|revoke|rotate` posts; a refusal shows the node's reason next to the field it names.
// Peer sessions opening and closing arrive on the event stream (`event: peer`) and redraw the peers at
// once; the moving figures (lag, round trip, last seen) are refreshed every 15 seconds while the page is open.
import { get, post, Refusal } from "./api.js";
import { el, clear, when } from "./dom.js";
import { t, language } from "./i18n.js";

const figureRefreshMs = 15000;
let page = null;

/** "12 s", "4 min", "3 h". */
function ago(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 90) return t("fed.seconds", { n: Math.max(0, Math.round(seconds)) });
  if (seconds < 5400) return t("fed.minutes", { n: Math.round(seconds / 60) });
  return t("fed.hours", { n: Math.round(seconds / 3600) });
}

function peerRow(p) {
  const lastSeen = p.connected
    ? t("fed.ago", { time: ago(p.lastSeenSeconds) })
    : p.lastSeenSeconds !== null && p.lastSeenSeconds !== undefined
      ? t("fed.endedAgo", { time: ago(p.lastSeenSeconds) }) + (p.endedReason ? " — " + p.endedReason : "")
      : t("fed.notSeen");
  return el("tr", { class: p.connected ? "peer-connected" : "peer-disconnected", "data-peer": p.name },
    el("td", {}, el("strong", { text: p.name }), el("br"), el("span", { class: "quiet", text: p.organisation })),
    el("td", { class: "peer-state", text: t(p.connected ? "fed.connected" : "fed.disconnected") +
      (!p.connected && p.nextTrySeconds !== null && p.nextTrySeconds !== undefined ? " · " + t("fed.retry", { time: ago(p.nextTrySeconds) }) : "") }),
    el("td", { text: p.direction ? t("fed.direction." + p.direction) : "—" }),
    el("td", { class: "mono", text: p.route ?? "—" }),
    el("td", { class: "peer-lag", text: p.entriesBehind ?? "—" }),
    el("td", { text: lastSeen }),
    el("td", { class: "peer-rtt", text: p.roundTripMs !== null && p.roundTripMs !== undefined ? p.roundTripMs + " ms" : "—" }));
}

function memberRow(m) {
  const revoked = m.revoked && Number.isFinite(Date.parse(m.revoked)) ? when(Date.parse(m.revoked), language()) : m.revoked;
  const state = m.active ? t("fed.active") : t("fed.revoked") + (revoked ? " " + revoked : "") + (m.reason ? " — " + m.reason : "");
  return el("tr", { class: m.active ? "member-active" : "member-revoked", "data-member": m.name, "data-rotated": m.rotated },
    el("td", {}, el("strong", { text: m.name }), m.authority ? el("span", { class: "quiet", text: " · " + t("fed.authority") }) : null),
    el("td", { text: m.organisation }), el("td", { text: m.role }),
    el("td", { class: "member-state", text: state + (m.rotated ? " · " + t("fed.rotated") : "") }),
    el("td", { class: "mono", title: m.id, text: m.id.slice(0, 16) + "…" }),
    el("td", { class: "mono", text: (m.addresses ?? []).join(" ") }));
}

function table(id, heads, rows) {
  return el("table", { class: "board", id },
    el("thead", {}, el("tr", {}, heads.map((k) => el("th", { text: t(k) })))), el("tbody", {}, rows));
}

function field(name, label, control, help) {
  return el("div", { class: "form-field", "data-field": name },
    el("label", { for: control.id }, el("span", { text: label })), control,
    el("p", { class: "help quiet", text: help ?? "" }), el("p", { class: "error field-error", role: "alert" }));
}

/** Shows a refusal next to the field it names (`addresses[1]` goes to `addresses`), else above the form. */
function showRefusal(form, refusal) {
  for (const node of form.querySelectorAll(".field-error, .form-error")) node.textContent = "";
  const name = refusal.field ? refusal.field.split(/[.[]/)[0] : null;
  const slot = (name && form.querySelector(`[data-field="${CSS.escape(name)}"] .field-error`)) || form.querySelector(".form-error");
  slot.textContent = refusal.message;
}

/** The active members a revoke or rotate may name: every one but this node. */
function others(fed) {
  return fed.members.filter((m) => m.active && m.name !== fed.node.name);
}

function memberOptions(members) {
  return [el("option", { value: "", text: "—" }), ...members.map((m) => el("option", { value: m.id, text: m.name + " · " + m.organisation }))];
}

function memberChoice(id, members) {
  return el("select", { id, name: "node", class: "member-choice" }, memberOptions(members));
}

/** After a roster change, the member pickers list the members as they are now (keeping a choice still possible). */
function refreshMemberChoices(fed) {
  for (const select of page.root.querySelectorAll("select.member-choice")) {
    const chosen = select.value;
    select.replaceChildren(...memberOptions(others(fed)));
    select.value = others(fed).some((m) => m.id === chosen) ? chosen : "";
  }
}

function rosterForm(id, title, rows, submit, build) {
  const done = el("p", { class: "quiet form-done", role: "status" });
  const form = el("form", { id, class: "roster-form", novalidate: true },
    el("h3", { text: title }), el("p", { class: "error form-error", role: "alert" }), rows,
    el("button", { type: "submit", id: id + "-submit", text: submit }), done);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const node of form.querySelectorAll(".field-error, .form-error")) node.textContent = "";
    done.textContent = "";
    try {
      const answer = await post("roster", build(form));
      form.reset();
      done.textContent = t("fed.posted", { id: answer.id.slice(0, 12) });
      await redraw();
    } catch (error) {
      if (error instanceof Refusal) showRefusal(form, error); else throw error;
    }
  });
  return form;
}

function rosterForms(fed) {
  const value = (form, name) => form.elements[name].value.trim();
  const add = rosterForm("roster-add", t("fed.add"), [
    field("node", t("fed.nodeId"), el("input", { id: "add-node", name: "node", size: 66, class: "mono" }), t("fed.nodeIdHelp")),
    field("name", t("fed.name"), el("input", { id: "add-name", name: "name", size: 24 })),
    field("organisation", t("fed.organisation"), el("input", { id: "add-organisation", name: "organisation", size: 32 })),
    field("role", t("fed.role"), el("select", { id: "add-role", name: "role" }, el("option", { value: "", text: "—" }), fed.roles.map((r) => el("option", { value: r, text: r })))),
    field("addresses", t("fed.addresses"), el("textarea", { id: "add-addresses", name: "addresses", rows: 2, class: "mono" }), t("fed.addressesHelp")),
  ], t("fed.addSubmit"), (form) => ({
    op: "add", node: value(form, "node"), name: value(form, "name"), organisation: value(form, "organisation"), role: value(form, "role"),
    addresses: value(form, "addresses").split("\n").map((line) => line.trim()).filter((line) => line !== ""),
  }));
  const revoke = rosterForm("roster-revoke", t("fed.revoke"), [
    field("node", t("fed.member"), memberChoice("revoke-node", others(fed))),
    field("reason", t("fed.reason"), el("input", { id: "revoke-reason", name: "reason", size: 48 }), t("fed.revokeHelp")),
  ], t("fed.revokeSubmit"), (form) => ({ op: "revoke", node: value(form, "node"), reason: value(form, "reason") }));
  const rotate = rosterForm("roster-rotate", t("fed.rotate"), [
    field("node", t("fed.member"), memberChoice("rotate-node", others(fed))),
    field("key", t("fed.newKey"), el("input", { id: "rotate-key", name: "key", size: 66, class: "mono" }), t("fed.newKeyHelp")),
  ], t("fed.rotateSubmit"), (form) => ({ op: "rotate", node: value(form, "node"), key: value(form, "key") }));
  return el("section", { id: "roster-change" }, el("h2", { text: t("fed.change") }), el("p", { class: "quiet", text: t("fed.changeHelp") }), add, revoke, rotate);
}

function drawPeers(fed) {
  const peers = table("peers", ["fed.peer", "fed.state", "fed.direction", "fed.route", "fed.lag", "fed.lastSeen", "fed.rtt"], fed.peers.map(peerRow));
  page.peers.replaceChildren(fed.peers.length ? peers : el("p", { class: "quiet", text: t("fed.noPeers") }));
}

function drawMembers(fed) {
  page.members.replaceChildren(table("members", ["fed.name", "fed.organisation", "fed.role", "fed.state", "fed.nodeId", "fed.addresses"],
    fed.members.map(memberRow)));
}

/** Fetches the federation again and redraws peers, members and the member pickers (not what an officer is typing). */
async function redraw() {
  if (!page || !document.body.contains(page.root)) return;
  const fed = await get("federation");
  if (!page || !document.body.contains(page.root)) return;
  drawPeers(fed);
  drawMembers(fed);
  refreshMemberChoices(fed);
}

/** The federation page (`#federation`). */
export async function showFederation(view) {
  clear(view);
  if (page) clearInterval(page.timer);
  const root = el("div", { id: "federation" });
  page = { root, peers: el("div", { id: "peers-box" }), members: el("div", { id: "members-box" }), timer: null };
  view.append(root);
  const fed = await get("federation");
  root.append(el("h1", { text: t("fed.title") }), el("h2", { text: t("fed.peers") }), page.peers,
    el("h2", { text: t("fed.members") }), page.members, ...(fed.mayChangeRoster ? [rosterForms(fed)] : []));
  drawPeers(fed);
  drawMembers(fed);
  const shown = page;
  page.timer = setInterval(() => {
    if (page !== shown || !document.body.contains(shown.root)) clearInterval(shown.timer); else redraw();
  }, figureRefreshMs);
}

/** Wires the event stream: a peer session opened or closed, or a roster entry arrived → redraw. */
export function listenForFederation(source) {
  source.addEventListener("peer", () => { redraw(); });
  source.addEventListener("entry", (event) => {
    if (JSON.parse(event.data).kind === "roster") redraw();
  });
}
