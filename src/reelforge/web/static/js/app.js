// The studio's shell: who is signed in, the navigation, and hash routes to views
// (#/create, #/library, #/clip/ID, #/storyboard, #/feed, #/account). Each view is a
// module exporting `render(main, params, ctx)`; leaving a view aborts its polling.

import { del, get, hasRoute, whenSignedOut } from "./api.js";
import { announce, errorBox, h } from "./dom.js";

const VIEWS = {
  create: () => import("./views/create.js"),
  library: () => import("./views/library.js"),
  clip: () => import("./views/clip.js"),
  storyboard: () => import("./views/storyboard.js"),
  feed: () => import("./views/feed.js"),
  account: () => import("./views/account.js"),
  signin: () => import("./views/signin.js"),
};
const TITLES = {
  create: "Create",
  library: "Library",
  clip: "Clip",
  storyboard: "Storyboard",
  feed: "Feed",
  account: "Account",
  signin: "Sign in",
};

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const state = { session: null, leaving: null };

async function route() {
  state.leaving?.abort();
  const leaving = new AbortController();
  state.leaving = leaving;
  const [name, ...params] = location.hash.replace(/^#\/?/, "").split("/");
  let view = VIEWS[name] ? name : "create";
  if (!state.session) view = "signin";
  nav.hidden = !state.session;
  for (const link of nav.querySelectorAll("a")) {
    const current = link.getAttribute("href") === `#/${view}`;
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const module = await VIEWS[view]();
  if (leaving.signal.aborted) return;
  main.replaceChildren();
  document.title = `${TITLES[view]} · reelforge studio`;
  try {
    await module.render(main, params.map(decodeURIComponent), {
      session: state.session,
      signal: leaving.signal,
      signedIn,
    });
  } catch (error) {
    // A clip deleted or unpublished since its link was made, a server that went away:
    // the page says so instead of staying blank.
    if (leaving.signal.aborted) return;
    main.replaceChildren(
      h("h1", {}, TITLES[view]),
      errorBox(error.status === 404 ? "This is not available: it was deleted, or is not published." : error),
      h("p", {}, h("a", { href: "#/library" }, "Back to your library")),
    );
  }
  // Focus moves to the new page so keyboard and screen-reader users start at its top.
  const heading = main.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
    announce(heading.textContent);
  }
}

async function signedIn(session) {
  state.session = session;
  if (!location.hash || location.hash === "#/signin") location.hash = "#/create";
  else await route();
}

async function start() {
  try {
    state.session = await get("/v1/studio/session");
  } catch {
    state.session = null;
  }
  document.getElementById("nav-storyboard").hidden = !(await hasRoute("/v1/studio/storyboards"));
  await route();
}

whenSignedOut(() => {
  if (state.session) {
    state.session = null;
    route();
  }
});

document.getElementById("sign-out").addEventListener("click", async () => {
  try {
    await del("/v1/studio/session");
  } finally {
    state.session = null;
    location.hash = "#/signin";
    await route();
  }
});

window.addEventListener("hashchange", route);
start();
