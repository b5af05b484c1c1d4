// One entry: its fields, the amendments as a diff, receipts and confirmations, and the ack button.
import { get, post } from "./api.js";
import { el, clear, tlpLabel, when } from "./dom.js";
import { t, language } from "./i18n.js";
import { followUpKinds, replyKinds } from "./followup.js";
import { capDownload } from "./cap.js";
import { fieldTerm } from "./labels.js";

function fields(list) {
  return el("dl", { class: "fields" }, list.map((f) => [el("dt", { text: fieldTerm(f.path, language()), title: f.path }), el("dd", { text: f.value })]));
}

function amendment(a) {
  return el("li", { "data-update": a.id },
    el("p", { class: "quiet amended-by", text: when(a.createdMilliseconds, language()) + " " + t("entry.by") + " " + a.author + (a.officer ? " (" + a.officer + ")" : "") }),
    a.retraction !== null && a.retraction !== undefined
      ? el("p", { class: "retraction" }, el("strong", { text: t("entry.retract") + ": " }), a.retraction) : null,
    el("dl", { class: "fields diff" }, a.changes.map((c) => [
      el("dt", { text: fieldTerm(c.path, language()), title: c.path }),
      el("dd", {}, c.before !== null && c.before !== undefined ? el("del", { text: c.before }) : null, " ",
        c.after !== null && c.after !== undefined ? el("ins", { text: c.after }) : null),
    ])));
}

function receipt(r) {
  return el("li", { text: r.node + " · " + r.organisation + " — " +
    (r.acknowledgedMilliseconds ? t("entry.acked") + " " + when(r.acknowledgedMilliseconds, language()) + (r.officer ? " (" + r.officer + ")" : "") : "…") });
}

/** Draws entry `id` into `view`. */
export async function showEntry(view, id) {
  clear(view);
  const detail = await get("entry", { id });
  const s = detail.summary;
  const ack = el("button", { type: "button", id: "ack", text: t("entry.ack") });
  ack.addEventListener("click", async () => {
    ack.disabled = true;
    await post("ack", { id });
    showEntry(view, id);
  });
  view.append(
    el("p", {}, el("a", { href: "#feed", text: t("entry.back") })),
    el("h1", {}, tlpLabel(s.tlp), " ", el("span", { id: "entry-title", text: s.title })),
    el("p", { class: "quiet", text: s.kind + " · " + s.author + " · " + s.organisation + " · " + when(s.createdMilliseconds, language()) }),
    el("h2", { text: t("entry.fields") }), fields(detail.fields),
    el("h2", { text: t("entry.history") }),
    detail.history.length ? el("ol", {}, detail.history.map(amendment)) : el("p", { class: "quiet", text: t("entry.none") }),
    el("h2", { text: t("entry.receipts") }),
    detail.receipts.length ? el("ul", {}, detail.receipts.map(receipt)) : el("p", { class: "quiet", text: t("entry.none") }),
    detail.confirmedHere ? el("p", { id: "acked", class: "quiet", text: t("entry.acked") }) : el("p", {}, ack),
    shortcuts(detail),
    ...(s.kind === "alert" ? [el("p", {}, capDownload(s.id))] : []),
    // (append() would write a null as the text "null")
    ...(detail.mayAmend ? [changes(view, id)] : []));
}

/** Amend and retract, for this node's own entries. */
function changes(view, id) {
  const reason = el("input", { id: "retract-reason", size: 40, placeholder: t("entry.retractReason") });
  const error = el("span", { class: "error", id: "retract-error", role: "alert" });
  const retract = el("button", { type: "button", id: "retract", text: t("entry.retract") });
  retract.addEventListener("click", async () => {
    try {
      await post("compose", { kind: "update", fields: { retract: reason.value }, refs: [id] });
      showEntry(view, id);
    } catch (refusal) {
      error.textContent = refusal.message;
    }
  });
  return el("div", { class: "entry-actions" },
    el("a", { href: "#amend/" + encodeURIComponent(id), id: "amend", text: t("entry.amend") }), reason, retract, error);
}

/** Reply (a message referring to this entry) and follow-up (the next report of its kind). */
function shortcuts(detail) {
  const id = encodeURIComponent(detail.summary.id);
  const live = !detail.summary.retracted;
  return el("p", { class: "entry-actions", id: "shortcuts" },
    live && replyKinds.includes(detail.summary.kind) ? el("a", { href: "#reply/" + id, id: "reply", text: t("entry.reply") }) : null,
    live && followUpKinds.includes(detail.summary.kind) ? el("a", { href: "#followup/" + id, id: "followup", text: t("entry.update") }) : null);
}
