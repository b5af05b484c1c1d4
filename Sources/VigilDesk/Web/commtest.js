// Communication tests: start one (everyone, a role or named nodes, a deadline), the live board of a test
// (received with the automatic delay, confirmed with the officer and delay, silent, late), past tests,
// and each test's results as CSV for the exercise reports.
import { get, post, Refusal } from "./api.js";
import { el, clear, when } from "./dom.js";
import { t, language } from "./i18n.js";

let board = null;

function seconds(ms) {
  return ms === null || ms === undefined ? "" : " (" + (ms / 1000).toFixed(1) + " s)";
}

function startForm(view, setup) {
  const error = el("p", { class: "error", id: "commtest-error", role: "alert" });
  const form = el("form", { id: "commtest-form", novalidate: true },
    el("h2", { text: t("ct.start") }),
    el("label", {}, t("ct.expect") + " ", el("select", { name: "expect", id: "ct-expect" },
      el("option", { value: "everyone", text: t("ct.everyone") }), el("option", { value: "role", text: t("ct.role") }),
      el("option", { value: "nodes", text: t("ct.nodes") }))),
    " ", el("label", {}, t("ct.roleLabel") + " ", el("select", { name: "role" }, setup.roles.map((r) => el("option", { value: r, text: r })))),
    el("div", { class: "checks" }, setup.members.map((m) =>
      el("label", {}, el("input", { type: "checkbox", name: "nodes", value: m.id }), " " + m.name))),
    el("label", {}, t("ct.deadline") + " ", el("input", { name: "minutes", id: "ct-minutes", value: "15", size: 4, inputmode: "numeric" })),
    " ", el("label", {}, t("ct.note") + " ", el("input", { name: "note", size: 40 })),
    " ", el("button", { type: "submit", id: "ct-submit", text: t("ct.submit") }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const expect = form.elements.expect.value;
    const minutes = Number(form.elements.minutes.value);
    const fields = { expect, deadline: new Date(Date.now() + minutes * 60000).toISOString() };
    if (expect === "role") fields.role = form.elements.role.value;
    if (expect === "nodes") fields.nodes = [...form.querySelectorAll("input[name=nodes]:checked")].map((n) => n.value);
    if (form.elements.note.value.trim()) fields.note = form.elements.note.value.trim();
    try {
      if (!Number.isFinite(minutes) || minutes <= 0) throw new Refusal(400, "deadline", t("ct.badDeadline"));
      const answer = await post("compose", { kind: "commtest", fields });
      window.location.hash = "#commtest/" + answer.id;
    } catch (refusal) {
      if (!(refusal instanceof Refusal)) throw refusal;
      error.textContent = (refusal.field ? refusal.field + ": " : "") + refusal.message;
    }
  });
  return form;
}

/** The list of tests and the form to start one (`#commtests`). */
export async function showCommTests(view) {
  clear(view);
  board = null;
  const [setup, page] = await Promise.all([get("post-setup"), get("feed", { kind: "commtest", limit: 50 })]);
  view.append(el("h1", { text: t("ct.title") }), startForm(view, setup), el("h2", { text: t("ct.past") }),
    page.entries.length === 0 ? el("p", { class: "quiet", text: t("entry.none") }) :
      el("ul", { id: "commtests" }, page.entries.map((e) => el("li", {},
        el("a", { href: "#commtest/" + e.id, text: when(e.createdMilliseconds, language()) + " — " + e.title }),
        " · " + e.author))));
}

async function drawBoard(view, id) {
  const report = await get("commtest", { id });
  if (!board || board.id !== id || !document.body.contains(board.node)) return;
  const rows = report.results.map((r) => el("tr", { class: "ct-" + r.status + (r.late ? " ct-late" : ""), "data-member": r.member },
    el("td", { text: r.member }),
    el("td", { class: "status", text: t("ct.status." + r.status) + (r.late ? " · " + t("ct.late") : "") }),
    el("td", { text: r.received ? when(Date.parse(r.received), language()) + seconds(r.automatic_delay_ms) : "—" }),
    el("td", { text: r.confirmed ? when(Date.parse(r.confirmed), language()) + seconds(r.officer_delay_ms) : "—" }),
    el("td", { text: r.officer ?? "" })));
  const counts = ["received", "confirmed", "silent"].map((s) => t("ct.status." + s) + " " + report.results.filter((r) => r.status === s).length);
  const late = report.results.filter((r) => r.late).length;
  clear(board.node);
  board.node.append(
    el("p", { id: "ct-counts", text: counts.join(" · ") + " · " + t("ct.late") + " " + late }),
    el("table", { class: "board" },
      el("thead", {}, el("tr", {}, ["ct.member", "ct.statusLabel", "ct.received", "ct.confirmed", "ct.officer"].map((k) => el("th", { text: t(k) })))),
      el("tbody", {}, rows)));
}

/** One test's live board (`#commtest/ID`), redrawn as answers arrive. */
export async function showCommTest(view, id) {
  clear(view);
  const node = el("div", { id: "ct-board" });
  board = { id, node };
  view.append(el("p", {}, el("a", { href: "#commtests", text: t("ct.back") })), el("h1", { text: t("ct.board") }),
    el("p", {}, el("a", { href: "/api/commtest.csv?id=" + encodeURIComponent(id), id: "ct-csv", download: "", text: t("ct.csv") })), node);
  await drawBoard(view, id);
}

/** A live entry arrived: an acknowledgement may be an answer to the test on the board. */
export function commTestEntryArrived(entry) {
  if (board && (entry.kind === "ack" || entry.id === board.id) && document.body.contains(board.node)) drawBoard(null, board.id);
}
