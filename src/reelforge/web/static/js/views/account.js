// The account: plan, usage and quota left, running jobs, API keys (make, revoke),
// export everything as a zip, and delete the account (asked for by name).

import { del, get, post } from "../api.js";
import { showError, field, h, when } from "../dom.js";

export async function render(main, _params, ctx) {
  const account = await get("/v1/studio/account");
  const plan = account.plan;
  const left = account.usage.seconds_left;
  main.append(
    h("h1", {}, "Account"),
    h("section", { class: "panel", "aria-labelledby": "plan-h" },
      h("h2", { id: "plan-h" }, `${account.user.name} · ${plan.name} plan`),
      h("dl", { class: "facts" },
        h("dt", {}, "Resolution"), h("dd", {}, `up to ${plan.max_short_side}p`),
        h("dt", {}, "Length"), h("dd", {}, `up to ${plan.max_seconds} s a clip`),
        h("dt", {}, "Downloads"), h("dd", {}, plan.watermark ? "with a visible watermark" : "clean"),
        h("dt", {}, `Used in ${account.usage.period}`), h("dd", {}, `${account.usage.seconds_used} s`),
        h("dt", {}, "Quota left"), h("dd", { class: "quota-left" },
          left === null ? "no monthly limit" : `${left} of ${plan.monthly_seconds} s`),
        h("dt", {}, "Jobs"), h("dd", {},
          `${account.jobs.running} running of ${account.jobs.concurrency} at a time, ${account.jobs.queued} waiting`))),
    keysSection(account.keys),
    h("section", { class: "panel", "aria-labelledby": "export-h" },
      h("h2", { id: "export-h" }, "Export everything"),
      h("p", {}, "One zip with every clip, its thumbnail, your prompts and their metadata, and the files you uploaded."),
      h("a", { class: "button", href: "/v1/studio/export", download: `reelforge-${account.user.name}.zip` },
        "Download my export (.zip)")),
    deleteSection(account.user.name, ctx),
  );
}

function keysSection(keys) {
  const list = h("ul", { class: "keys" });
  const shown = h("div", { "aria-live": "polite" });
  const problem = h("div");
  const row = (key) => h("li", {}, h("code", {}, `${key.prefix}…`), ` made ${when(key.created_at)} `,
    h("button", { type: "button", class: "quiet", "aria-label": `Revoke key ${key.prefix}`,
      onclick: async (event) => {
        problem.replaceChildren();
        try {
          await del(`/v1/studio/keys/${key.id}`);
          event.target.closest("li").remove();
        } catch (error) {
          showError(problem, error);
        }
      } }, "Revoke"));
  list.append(...keys.map(row));
  const make = h("button", { type: "button", onclick: async () => {
    problem.replaceChildren();
    try {
      const made = await post("/v1/studio/keys");
      list.append(row({ id: made.id, prefix: made.prefix, created_at: Date.now() / 1000 }));
      shown.replaceChildren(h("p", {}, "Your new key (shown only now; copy it somewhere safe):"),
        h("code", { class: "new-key" }, made.key));
    } catch (error) {
      showError(problem, error);
    }
  } }, "Make a new key");
  return h("section", { class: "panel", "aria-labelledby": "keys-h" },
    h("h2", { id: "keys-h" }, "API keys"),
    h("p", {}, "Revoking the key you signed in with signs this browser out."),
    list, make, shown, problem);
}

function deleteSection(name, _ctx) {
  const confirm = h("input", { name: "confirm", autocomplete: "off", spellcheck: "false" });
  const problem = h("div");
  return h("section", { class: "panel danger-zone", "aria-labelledby": "delete-h" },
    h("h2", { id: "delete-h" }, "Delete my account"),
    h("p", {}, "Deletes every clip, upload and key for good. Export first if you want to keep anything."),
    h("form", { onsubmit: async (event) => {
      event.preventDefault();
      problem.replaceChildren();
      try {
        await del("/v1/studio/account", { confirm: confirm.value });
        location.hash = "#/signin";
        location.reload();
      } catch (error) {
        showError(problem, error);
      }
    } },
    field(`Type your user name (${name}) to confirm`, confirm),
    h("button", { type: "submit", class: "danger" }, "Delete my account and everything in it"),
    problem));
}
