// The entry page's shortcuts: "reply" opens the message form with the subject filled in and the entry
// as its ref; "follow-up" opens the entry's own kind's form with its current fields, for the next report
// (a situation report keeps its incident and counts on: report_number + 1, report_type "update"). Both
// start from the entry's audience (and add its author, so the answer reaches who wrote it); the officer
// may change anything before posting.
import { get } from "./api.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { showPost } from "./post.js";

/** Kinds an officer can follow up with a report of the same kind (a test is started afresh, not followed up). */
export const followUpKinds = ["sitrep", "threat", "incident", "alert", "message"];

/** Kinds an officer can reply to (not the bookkeeping kinds). */
export const replyKinds = ["sitrep", "threat", "incident", "alert", "message", "commtest"];

/** The entry's audience, widened just enough that its author reads the answer: the rule of the model's
 * `Audience.adding` (an acknowledgement's audience) — AMBER and RED add the author's node, AMBER+STRICT
 * its organisation, CLEAR and GREEN stay as they are. */
function answerAudience(detail) {
  const a = detail.audience;
  const audience = { tlp: a.tlp, roles: [...a.roles], organisations: [...a.organisations], nodes: [...a.nodes] };
  const author = detail.summary.author;
  if ((a.tlp === "red" || a.tlp === "amber") && !audience.nodes.includes(author)) audience.nodes.push(author);
  if (a.tlp === "amber+strict" && !audience.organisations.includes(detail.summary.organisation)) audience.organisations.push(detail.summary.organisation);
  return audience;
}

function context(label, detail) {
  return [label + " ", el("a", { href: "#entry/" + encodeURIComponent(detail.summary.id), text: detail.summary.title }),
    " · " + detail.summary.author];
}

/** `#reply/ID`: a message answering entry ID. */
export async function showReply(view, id) {
  const detail = await get("entry", { id });
  const current = detail.current ?? {};
  const prefix = t("reply.prefix");
  const original = String(current.subject ?? current.title ?? current.headline ?? detail.summary.title);
  const subject = original.startsWith(prefix) || original.startsWith("Re:") ? original : prefix + " " + original;
  await showPost(view, "message", {
    title: t("reply.title"), heading: context(t("reply.to"), detail), values: { subject }, refs: [id], audience: answerAudience(detail),
  });
}

/** `#followup/ID`: the next report of entry ID's kind, starting from its current fields. */
export async function showFollowUp(view, id) {
  const detail = await get("entry", { id });
  const values = structuredClone(detail.current ?? {});
  delete values.officer;
  if (detail.summary.kind === "sitrep") {
    if (Number.isInteger(values.report_number)) values.report_number += 1;
    if (values.report_type === "initial") values.report_type = "update";
  }
  await showPost(view, detail.summary.kind, {
    title: t("update.title"), heading: context(t("update.of"), detail), values, refs: [id], audience: answerAudience(detail),
  });
}
