// The feed: newest first, filters, paging by cursor, live arrivals, and "new since your last visit".
import { get } from "./api.js";
import { el, clear, tlpLabel, when } from "./dom.js";
import { t, language } from "./i18n.js";

const kinds = ["sitrep", "threat", "incident", "assessment", "alert", "message", "commtest", "ack", "update"];
const tlps = ["clear", "green", "amber", "amber+strict", "red"];
let filters = {};
let list = null;
// On a first visit nothing is marked new; afterwards, what was created after the previous visit is.
const previousVisit = localStorage.getItem("vigil-last-visit");
let lastVisit = previousVisit === null ? Infinity : Number(previousVisit);

/** The "since" filter of the feed and the map: any time, or the last hour, day or week. */
export function sinceSelect() {
  return el("label", {}, t("feed.since") + " ", el("select", { name: "window" },
    el("option", { value: "", text: t("feed.any") }),
    [["1h", 3600e3], ["24h", 86400e3], ["7d", 7 * 86400e3]].map(([label, ms]) => el("option", { value: String(ms), text: label }))));
}

/** A filter form's values without the empty ones; the time window becomes the API's `since` (Unix
 * milliseconds), fixed when the officer filters. */
export function filtersOf(form) {
  const values = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ""));
  if (values.window) values.since = String(Date.now() - Number(values.window));
  return values;
}

function row(entry) {
  const isNew = entry.createdMilliseconds > lastVisit || entry.live === true;
  return el("li", { class: [isNew ? "new" : "", entry.retracted ? "retracted" : ""].join(" ").trim() || null, "data-id": entry.id },
    el("span", { class: "time", text: when(entry.createdMilliseconds, language()) }),
    el("span", {}, tlpLabel(entry.tlp)),
    el("span", { class: "kind", text: entry.kind }),
    el("a", { class: "title", href: "#entry/" + encodeURIComponent(entry.id), text: entry.title }),
    el("span", { class: "who", text: entry.author + " · " + entry.organisation + (entry.officer ? " · " + entry.officer : "") }));
}

function select(name, options, label) {
  return el("label", {}, label + " ",
    el("select", { name }, el("option", { value: "", text: t("feed.any") }), options.map((o) => el("option", { value: o, text: o }))));
}

function matches(entry) {
  if (filters.kind && entry.kind !== filters.kind) return false;
  if (filters.tlp && entry.tlp !== filters.tlp) return false;
  if (filters.author && entry.author !== filters.author) return false;
  if (filters.org && entry.organisation !== filters.org) return false;
  if (filters.q && !entry.title.toLowerCase().includes(filters.q.toLowerCase())) return false;
  if (filters.since && entry.createdMilliseconds < Number(filters.since)) return false;
  return !filters.before;
}

/** A live entry: shown at the top when it matches the filters of the first page. */
export function entryArrived(entry) {
  if (!list || !document.body.contains(list) || !matches(entry)) return;
  if (list.querySelector(`li[data-id="${CSS.escape(entry.id)}"]`)) return;
  list.querySelector(".empty")?.remove();
  list.prepend(row({ ...entry, live: true }));
}

async function load(view) {
  const page = await get("feed", filters);
  clear(list);
  if (page.entries.length === 0) list.append(el("li", { class: "empty", text: t("feed.empty") }));
  for (const entry of page.entries) list.append(row(entry));
  const pager = view.querySelector(".pager");
  clear(pager);
  if (filters.before) pager.append(el("button", { type: "button", text: t("feed.newest"), onclick: () => { delete filters.before; load(view); } }));
  if (page.nextCursor) pager.append(el("button", { type: "button", id: "older", text: t("feed.older"), onclick: () => { filters.before = page.nextCursor; load(view); } }));
}

/** Draws the feed page into `view`. */
export async function showFeed(view) {
  clear(view);
  const form = el("form", { class: "filters", id: "filters" },
    select("kind", kinds, t("feed.kind")), select("tlp", tlps, t("feed.tlp")),
    el("label", {}, t("feed.author") + " ", el("input", { name: "author", size: 12 })),
    el("label", {}, t("feed.org") + " ", el("input", { name: "org", size: 14 })),
    el("label", {}, t("feed.text") + " ", el("input", { name: "q", type: "search", size: 16 })),
    sinceSelect(),
    el("button", { type: "submit", text: t("feed.apply") }));
  for (const [name, value] of Object.entries(filters)) if (form.elements[name]) form.elements[name].value = value;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    filters = filtersOf(form);
    load(view);
  });
  list = el("ol", { class: "feed", id: "feed" });
  view.append(el("h1", { text: t("feed.title") }), form, list, el("div", { class: "pager" }));
  await load(view);
  // The first page is in the document; once it is painted and the page is free for input again (a frame,
  // then a task), the mark Scripts/bench-desk reads: its startTime counts from the navigation's start.
  if (performance.getEntriesByName("vigil-feed-usable").length === 0) {
    requestAnimationFrame(() => setTimeout(() => performance.mark("vigil-feed-usable")));
  }
  // What arrives after this visit is "new" next time.
  localStorage.setItem("vigil-last-visit", String(Date.now()));
}
