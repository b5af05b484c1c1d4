// CAP 1.2 (#cap): import a document — checked first (dry run: what would be posted, the alert's fields,
// the warnings), then posted by the officer — and export alerts as CAP 1.2 files. The node does the same
// as `vigil import --cap [--dry-run]` and `vigil export --cap` (docs/cap.md).
import { get, postRaw, Refusal } from "./api.js";
import { el, clear, tlpLabel, when } from "./dom.js";
import { t, language } from "./i18n.js";

// The desk accepts request bodies up to 1 MiB (HTTPLimits.desk), as large as a CAP document may be.
const maxBytes = 1024 * 1024;

/** A link that downloads alert `id` as CAP 1.2 (for the CAP page and the entry page). */
export function capDownload(id) {
  return el("a", { class: "cap-download", href: "/api/cap/export?id=" + encodeURIComponent(id), download: "", text: t("cap.download") });
}

function preview(p) {
  const referring = p.references.length
    ? el("p", { id: "cap-references", text: t(p.msgType === "Cancel" ? "cap.cancels" : "cap.updates", { refs: p.references.join(" ") }) }) : null;
  return el("div", { class: "cap-preview" },
    el("h3", { text: t("cap.wouldPost") }),
    el("p", { id: "cap-summary", class: "cap-summary", text: p.summary }),
    el("p", { class: "quiet", text: "CAP 1.2 " + p.msgType + " · " + p.identifier + " · " + p.sender + " · " + t("cap.infos", { n: p.infos }) }),
    referring,
    el("h3", { text: t("cap.warnings") }),
    p.warnings.length ? el("ul", { id: "cap-warnings", class: "cap-warnings" }, p.warnings.map((w) => el("li", { text: w })))
      : el("p", { id: "cap-warnings", class: "quiet", text: t("cap.noWarnings") }),
    el("h3", { text: t("cap.fields") }),
    el("dl", { class: "fields" }, p.fields.map((f) => [el("dt", { text: f.path }), el("dd", { text: f.value })])));
}

function importSection(roles) {
  const file = el("input", { type: "file", id: "cap-file", accept: ".xml,application/xml,text/xml,application/cap+xml" });
  const paste = el("textarea", { id: "cap-text", rows: 8, class: "mono", placeholder: t("cap.pastePlaceholder") });
  const error = el("p", { id: "cap-error", class: "error", role: "alert" });
  const result = el("div", { id: "cap-result" });
  const tlp = el("select", { id: "cap-tlp", name: "tlp" }, el("option", { value: "", text: t("post.tlpDefault") }),
    ["clear", "green", "amber", "amber+strict", "red"].map((v) => el("option", { value: v, text: "TLP:" + v.toUpperCase() })));
  const roleChecks = el("div", { class: "checks" }, roles.map((r) => el("label", {}, el("input", { type: "checkbox", name: "cap-role", value: r }), " " + r)));
  const postButton = el("button", { type: "button", id: "cap-post", text: t("cap.post"), disabled: true });
  let checked = null;

  async function documentBytes() {
    if (file.files.length) {
      const picked = file.files[0];
      if (picked.size > maxBytes) throw new Refusal(413, null, t("cap.tooLarge", { n: picked.size }));
      return new Uint8Array(await picked.arrayBuffer());
    }
    const bytes = new TextEncoder().encode(paste.value);
    if (bytes.length > maxBytes) throw new Refusal(413, null, t("cap.tooLarge", { n: bytes.length }));
    return bytes;
  }

  async function check() {
    error.textContent = "";
    clear(result);
    postButton.disabled = true;
    checked = null;
    try {
      const bytes = await documentBytes();
      if (bytes.length === 0) throw new Refusal(400, null, t("cap.nothing"));
      const answer = await postRaw("cap/preview", {}, bytes, "application/xml");
      checked = bytes;
      result.append(preview(answer));
      postButton.disabled = false;
    } catch (refusal) {
      if (!(refusal instanceof Refusal)) throw refusal;
      error.textContent = t("cap.refused") + " " + refusal.message;
    }
  }

  postButton.addEventListener("click", async () => {
    if (!checked) return;
    error.textContent = "";
    const params = [];
    if (tlp.value) params.push(["tlp", tlp.value]);
    for (const box of roleChecks.querySelectorAll("input:checked")) params.push(["role", box.value]);
    try {
      postButton.disabled = true;
      const answer = await postRaw("cap/import", params, checked, "application/xml");
      window.location.hash = "#entry/" + answer.id;
    } catch (refusal) {
      if (!(refusal instanceof Refusal)) throw refusal;
      postButton.disabled = false;
      error.textContent = t("cap.refused") + " " + refusal.message;
    }
  });
  // One document at a time: picking a file clears the pasted text, typing clears the picked file.
  file.addEventListener("change", () => { if (file.files.length) paste.value = ""; });
  paste.addEventListener("input", () => { file.value = ""; });

  return el("section", { class: "cap-import" },
    el("h2", { text: t("cap.import") }),
    el("p", { class: "quiet", text: t("cap.importHelp") }),
    el("p", {}, el("label", {}, t("cap.file") + " ", file)),
    el("p", {}, el("label", { for: "cap-text", text: t("cap.paste") })), paste,
    el("p", {}, el("button", { type: "button", id: "cap-check", text: t("cap.check"), onclick: check })),
    error, result,
    el("fieldset", { class: "audience" }, el("legend", { text: t("post.audience") }),
      el("label", {}, t("post.tlp") + " ", tlp), el("p", { class: "quiet", text: t("post.roles") }), roleChecks),
    el("p", {}, postButton));
}

async function exportSection() {
  const page = await get("feed", { kind: "alert", limit: 50 });
  return el("section", { class: "cap-export" },
    el("h2", { text: t("cap.export") }),
    el("p", { class: "quiet", text: t("cap.exportHelp") }),
    page.entries.length === 0 ? el("p", { class: "empty", text: t("feed.empty") })
      : el("ul", { id: "cap-alerts", class: "map-list" }, page.entries.map((e) => el("li", { "data-id": e.id },
        el("span", { class: "time", text: when(e.createdMilliseconds, language()) }), " ", tlpLabel(e.tlp), " ",
        el("a", { href: "#entry/" + encodeURIComponent(e.id), text: e.title }), " ", capDownload(e.id)))));
}

/** Draws the CAP page into `view`. */
export async function showCAP(view) {
  clear(view);
  const setup = await get("post-setup");
  view.append(el("h1", { text: t("cap.title") }), importSection(setup.roles), await exportSection());
}
