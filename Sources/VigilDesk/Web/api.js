// The desk's JSON API: reads with the session cookie, writes with the session's CSRF token too.
let csrfToken = "";

/** Thrown for a refused request: the HTTP status, the field it concerns and the reason. */
export class Refusal extends Error {
  constructor(status, field, reason) {
    super(reason);
    this.status = status;
    this.field = field;
  }
}

/** The answer's JSON; for a refusal, a Refusal with the JSON's field and reason, or the plain text a
 * refusal of the HTTP layer has (413: too large), shown as it is. */
async function answer(response) {
  const text = await response.text().catch(() => "");
  let body = null;
  try { body = JSON.parse(text); } catch { body = null; }
  if (!response.ok) {
    if (response.status === 401) window.location.assign("/login");
    throw new Refusal(response.status, body?.field ?? null, body?.reason ?? (text.trim() || response.statusText));
  }
  return body ?? {};
}

/** GET /api/PATH?params. */
export async function get(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== undefined && v !== null));
  const url = "/api/" + path + (query.toString() ? "?" + query : "");
  return answer(await fetch(url, { credentials: "same-origin", cache: "no-store" }));
}

/** POST /api/PATH with a JSON body and the CSRF token. */
export async function post(path, body) {
  return answer(await fetch("/api/" + path, {
    method: "POST", credentials: "same-origin", cache: "no-store",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
    body: JSON.stringify(body),
  }));
}

/** Who is logged in; remembers the CSRF token for writes. */
export async function me() {
  const answer = await get("me");
  csrfToken = answer.csrfToken;
  return answer;
}

/** POST /api/PATH?params with raw bytes (a CAP document) and the CSRF token. */
export async function postRaw(path, params, body, contentType) {
  const query = new URLSearchParams(params);
  return answer(await fetch("/api/" + path + (query.toString() ? "?" + query : ""), {
    method: "POST", credentials: "same-origin", cache: "no-store",
    headers: { "Content-Type": contentType, "X-CSRF-Token": csrfToken }, body,
  }));
}
