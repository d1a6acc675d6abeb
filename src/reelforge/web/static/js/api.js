// The studio talks to the same JSON API as every client; the browser's session cookie
// (set at sign-in, httpOnly) authenticates each request, so no key is kept in the page.

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(plainWords(status, error));
    this.status = status;
    this.code = error.code || null;
    this.param = error.param || null;
  }
}

// OpenAI-shaped errors in words a person acts on.
export function plainWords(status, error) {
  const message = error.message || `The server answered ${status}.`;
  if (error.code === "moderation_blocked") {
    const rule = error.rule ? ` (rule: ${error.rule})` : "";
    return `Blocked by moderation${rule}. ${message}`;
  }
  if (status === 429) return `Your plan's quota is used up. ${message}`;
  if (status === 401) return "You are signed out. Sign in with your API key.";
  if (status >= 500) return `Something went wrong on the server: ${message}`;
  return message;
}

let onSignedOut = () => {};
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

export async function request(method, path, body = undefined) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const data = text ? safeJson(text) : null;
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401 && !path.startsWith("/v1/studio/session")) onSignedOut();
    throw error;
  }
  return { data, pollAfter: Number(response.headers.get("openai-poll-after-ms")) || 0 };
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 200) } };
  }
}

export const get = async (path) => (await request("GET", path)).data;
export const post = async (path, body) => (await request("POST", path, body ?? {})).data;
export const del = async (path, body) => (await request("DELETE", path, body)).data;

export const FINISHED = ["completed", "failed"];

// Poll a video until it finishes, as often as the server asks (openai-poll-after-ms);
// `onUpdate` gets each state; stops early when `signal` aborts.
export async function watch(id, onUpdate, signal, path = `/v1/videos/${id}`) {
  for (;;) {
    if (signal?.aborted) return null;
    let result;
    try {
      result = await request("GET", path);
    } catch (error) {
      if (error.status === 404 || error.status === 401) return null; // deleted, signed out
      result = { data: null, pollAfter: 2000 }; // a blip: try again shortly
    }
    if (result.data) {
      onUpdate(result.data);
      if (FINISHED.includes(result.data.status)) return result.data;
    }
    await sleep(result.pollAfter || 2000, signal);
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

// Which routes this server has: buttons for operations it lacks are not shown at all.
let routes = null;
export async function hasRoute(path) {
  if (!routes) {
    routes = get("/openapi.json").then(
      (doc) => new Set(Object.keys(doc.paths || {})),
      () => ((routes = null), new Set()), // a failed read is asked again next time, not kept
    );
  }
  return (await routes).has(path);
}

export function contentUrl(video, variant, published = false) {
  const base = published ? "/v1/studio/feed" : "/v1/videos";
  return `${base}/${encodeURIComponent(video.id)}/content?variant=${variant}`;
}
