// A clip's page: the player, the prompt and its expansion, its parents, its Content
// Credentials, and what can be done with it. Operations this server does not offer
// (no route in its OpenAPI document) have no button at all.

import { FINISHED, contentUrl, del, get, hasRoute, post, watch } from "../api.js";
import { statusText } from "../cards.js";
import { showError, field, h, options, when } from "../dom.js";

const PROVENANCE = {
  trusted: "Signed Content Credentials, from a trusted signer",
  valid: "Signed Content Credentials (valid; the signer is not in the trust list)",
  invalid: "Content Credentials are damaged or do not match the file",
  unsigned: "No Content Credentials",
  pending: "Signed when the clip is finished",
  none: "No clip was made",
  unreadable: "The file's credentials could not be read",
};

const RELATIONS = {
  remix: "remixed from",
  extend: "extended from",
  edit: "edited from",
  recut: "re-cut from",
  loop: "looped from",
  blend: "blended from",
  fill: "repaired from",
  stitch: "stitched from",
};

export async function render(main, [id], ctx) {
  let clip = await get(`/v1/studio/videos/${encodeURIComponent(id)}`);
  const status = h("p", { class: "status", role: "status" });
  const bar = h("progress", { max: 100, "aria-label": "Progress" });
  const player = h("div", { class: "player" });
  const actions = h("div", { class: "actions" });
  const details = h("div");

  function show() {
    status.textContent = statusText(clip);
    bar.value = clip.progress;
    bar.hidden = FINISHED.includes(clip.status);
    details.replaceChildren(...describe(clip));
    if (clip.status === "completed" && !player.firstChild) {
      const [w, hgt] = clip.size.split("x").map(Number);
      player.append(h("video", {
        controls: true, playsinline: true, loop: true, src: contentUrl(clip, "video"),
        poster: contentUrl(clip, "thumbnail"), "aria-label": `The clip: ${clip.prompt}`,
        width: w, height: hgt,
      }));
    }
  }

  main.append(h("h1", {}, "Clip"), player, status, bar, details, actions);
  show();
  if (!FINISHED.includes(clip.status)) {
    clip = await watch(clip.id, (next) => ((clip = next), show()), ctx.signal,
      `/v1/studio/videos/${encodeURIComponent(clip.id)}`) || clip;
  }
  if (ctx.signal.aborted) return;
  actions.replaceChildren(...(await actionsFor(clip, ctx)));
}

function describe(clip) {
  return [
    h("h2", {}, "Prompt"),
    h("p", { class: "prompt" }, clip.prompt || "(none)"),
    clip.expanded_prompt && clip.expanded_prompt !== clip.prompt
      ? h("details", {}, h("summary", {}, "How the model read it (the expansion)"),
          h("p", {}, clip.expanded_prompt))
      : null,
    h("dl", { class: "facts" },
      h("dt", {}, "Made"), h("dd", {}, `${clip.kind} · ${clip.size} · ${clip.seconds} s · ${when(clip.created_at)}`),
      h("dt", {}, "Provenance"), h("dd", { class: "provenance" },
        PROVENANCE[clip.provenance.state] || clip.provenance.state,
        clip.provenance.signer ? ` — ${clip.provenance.signer}` : ""),
      h("dt", {}, "Feed"), h("dd", {}, clip.published_at ? `Published ${when(clip.published_at)}` : "Private"),
      h("dt", {}, "Made from"), h("dd", {}, lineage(clip.parents))),
  ];
}

function lineage(parents) {
  if (!parents.length) return "Nothing: an original";
  return h("ol", { class: "lineage" }, parents.map((p) => {
    const how = RELATIONS[p.relation] || `${p.relation} of`;
    if (!p.available) return h("li", {}, `${how} ${p.id} (no longer available)`);
    const href = p.mine ? `#/clip/${p.id}` : `#/feed/${p.id}`;
    return h("li", {}, `${how} `, h("a", { href }, p.prompt || p.id), p.mine ? "" : ` by ${p.owner}`);
  }));
}

async function actionsFor(clip, ctx) {
  const list = [];
  if (clip.status === "completed") {
    list.push(h("p", {}, h("a", { href: contentUrl(clip, "video"), download: `${clip.id}.mp4`, class: "button" },
      `Download (${clip.download})`)));
    list.push(publishToggle(clip));
    list.push(promptForm("Remix", "A new prompt for the same clip", async (prompt, extra) =>
      post(`/v1/videos/${clip.id}/remix`, { prompt, strength: extra.strength }),
      { strength: [["subtle", "mild", "strong"], "mild"] }));
    list.push(promptForm("Extend", "What happens next", async (prompt, extra) =>
      post("/v1/videos/extensions", { video: { id: clip.id }, prompt, seconds: extra.seconds }),
      { seconds: [["4", "8"], "4"] }));
    if (await hasRoute("/v1/studio/recuts")) list.push(recutForm(clip));
    if (await hasRoute("/v1/studio/loops")) {
      list.push(oneButton("Loop", "Make it loop seamlessly", () => post("/v1/studio/loops", { video_id: clip.id })));
    }
    if (await hasRoute("/v1/studio/blends")) list.push(await blendForm(clip));
  }
  list.push(deleteButton(clip));
  return list;
}

// A small form: a prompt (and choices: name -> [values, default]), submitted to `send`, then the new clip's page.
function promptForm(title, hint, send, choices = {}) {
  const prompt = h("input", { name: "prompt", required: true });
  const extras = Object.fromEntries(Object.entries(choices).map(([name, [values, chosen]]) =>
    [name, h("select", { name }, options(values, chosen))]));
  const problem = h("div");
  return h("form", { class: "panel action", "aria-label": title, onsubmit: async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    const values = Object.fromEntries(Object.entries(extras).map(([k, el]) => [k, el.value]));
    try {
      const made = await send(prompt.value, values);
      location.hash = `#/clip/${made.id}`;
    } catch (error) {
      showError(problem, error);
    }
  } },
  h("h2", {}, title),
  field("Prompt", prompt, hint),
  Object.entries(extras).map(([name, el]) => field(name[0].toUpperCase() + name.slice(1), el)),
  h("button", { type: "submit" }, title),
  problem);
}

function oneButton(title, hint, send) {
  const problem = h("div");
  return h("div", { class: "panel action" }, h("h2", {}, title), h("p", {}, hint),
    h("button", { type: "button", onclick: async () => {
      problem.replaceChildren();
      try {
        location.hash = `#/clip/${(await send()).id}`;
      } catch (error) {
        showError(problem, error);
      }
    } }, title), problem);
}

function recutForm(clip) {
  const start = h("input", { type: "number", name: "start", min: 0, step: 0.1, value: 0 });
  const end = h("input", { type: "number", name: "end", min: 0.1, step: 0.1, value: clip.seconds });
  const problem = h("div");
  return h("form", { class: "panel action", "aria-label": "Re-cut", onsubmit: async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    try {
      const made = await post("/v1/studio/recuts",
        { video_id: clip.id, start: Number(start.value), end: Number(end.value) });
      location.hash = `#/clip/${made.id}`;
    } catch (error) {
      showError(problem, error);
    }
  } }, h("h2", {}, "Re-cut"), h("div", { class: "grid" },
    field("Start (s)", start), field("End (s)", end)), h("button", { type: "submit" }, "Re-cut"), problem);
}

async function blendForm(clip) {
  const mine = (await get("/v1/videos?limit=100")).data
    .filter((v) => v.status === "completed" && v.id !== clip.id);
  if (!mine.length) return h("div", { class: "panel action" }, h("h2", {}, "Blend"),
    h("p", {}, "Make a second clip to blend this one with."));
  const other = h("select", { name: "other" }, mine.map((v) => h("option", { value: v.id }, v.prompt)));
  const mode = h("select", { name: "mode" }, options(["transition", "mix"], "transition"));
  const problem = h("div");
  return h("form", { class: "panel action", "aria-label": "Blend", onsubmit: async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    try {
      const made = await post("/v1/studio/blends",
        { video_id: clip.id, other_video_id: other.value, mode: mode.value });
      location.hash = `#/clip/${made.id}`;
    } catch (error) {
      showError(problem, error);
    }
  } }, h("h2", {}, "Blend"), field("With", other), field("Mode", mode),
  h("button", { type: "submit" }, "Blend"), problem);
}

function publishToggle(clip) {
  const problem = h("div");
  const button = h("button", { type: "button", "aria-pressed": String(Boolean(clip.published_at)) },
    clip.published_at ? "Unpublish" : "Publish to the feed");
  button.addEventListener("click", async () => {
    problem.replaceChildren();
    try {
      const path = `/v1/studio/videos/${clip.id}/publish`;
      const result = clip.published_at ? await del(path) : await post(path);
      clip.published_at = result.published_at;
      button.textContent = clip.published_at ? "Unpublish" : "Publish to the feed";
      button.setAttribute("aria-pressed", String(Boolean(clip.published_at)));
    } catch (error) {
      showError(problem, error);
    }
  });
  return h("div", { class: "panel action" }, h("h2", {}, "Share"), button, problem);
}

// Deleting asks twice: the first button only reveals the one that deletes.
function deleteButton(clip) {
  const confirm = h("div", { class: "confirm", hidden: true },
    h("p", {}, "Delete this clip and its files for good?"),
    h("button", { type: "button", class: "danger", onclick: async () => {
      await del(`/v1/videos/${clip.id}`);
      location.hash = "#/library";
    } }, "Delete for good"),
    h("button", { type: "button", class: "quiet", onclick: () => {
      confirm.hidden = true;
      ask.focus();
    } }, "Keep it"));
  const ask = h("button", { type: "button", class: "quiet", onclick: () => {
    confirm.hidden = false;
    confirm.querySelector("button").focus();
  } }, "Delete…");
  return h("div", { class: "panel action" }, h("h2", {}, "Delete"), ask, confirm);
}
