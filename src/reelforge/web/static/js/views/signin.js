// Sign in with an API key; the server answers with an httpOnly session cookie, and the
// key itself is not kept anywhere in the page.

import { post } from "../api.js";
import { showError, field, h } from "../dom.js";

export function render(main, _params, ctx) {
  const key = h("input", {
    type: "password",
    name: "api_key",
    autocomplete: "current-password",
    required: true,
    spellcheck: "false",
  });
  const problem = h("div");
  const form = h(
    "form",
    { class: "panel narrow", onsubmit: submit },
    field("API key", key, "Your operator made it with `reelforge keys create`; it starts with rf-."),
    h("button", { type: "submit" }, "Sign in"),
    problem,
  );

  async function submit(event) {
    event.preventDefault();
    problem.replaceChildren();
    try {
      const session = await post("/v1/studio/session", { api_key: key.value });
      await ctx.signedIn(session);
    } catch (error) {
      showError(problem, error.status === 401 ? "That key is not valid (unknown or revoked)." : error);
      key.focus();
    }
  }

  main.append(
    h("h1", {}, "Sign in to the studio"),
    h("p", {}, "Make videos from words, images and clips, on your own machine."),
    form,
  );
}
