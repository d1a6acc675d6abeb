// The feed: what everyone published, newest first. A clip's feed page plays it and
// lets anyone remix it; the remix is theirs and names the clip it came from.

import { contentUrl, get, post } from "../api.js";
import { videoCard } from "../cards.js";
import { showError, field, h, options, when } from "../dom.js";

export async function render(main, [id], ctx) {
  if (id) return renderItem(main, id, ctx);
  const cards = h("div", { class: "cards" });
  const more = h("button", { type: "button", class: "quiet", hidden: true }, "Show older clips");
  const empty = h("p", { hidden: true }, "No one has published a clip yet.");
  let before = null;

  async function load() {
    const page = await get(`/v1/studio/feed?limit=24${before ? `&before=${before}` : ""}`);
    for (const item of page.data) {
      const video = { ...item, status: "completed", progress: 100 };
      cards.append(videoCard(video, { href: `#/feed/${item.id}`, published: true, owner: item.owner }));
    }
    before = page.next_before;
    more.hidden = !page.has_more;
    empty.hidden = cards.childElementCount > 0;
  }
  more.addEventListener("click", load);
  main.append(h("h1", {}, "Feed"), h("p", {}, "Clips everyone published, newest first."), empty, cards, more);
  await load();
}

async function renderItem(main, id, _ctx) {
  const item = await get(`/v1/studio/feed/${encodeURIComponent(id)}`);
  const [w, hgt] = item.size.split("x").map(Number);
  const prompt = h("input", { name: "prompt", required: true });
  const strength = h("select", { name: "strength" }, options(["subtle", "mild", "strong"], "mild"));
  const problem = h("div");
  const remix = h("form", { class: "panel action", "aria-label": "Remix", onsubmit: async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    try {
      const made = await post(`/v1/studio/feed/${item.id}/remix`, { prompt: prompt.value, strength: strength.value });
      location.hash = `#/clip/${made.id}`;
    } catch (error) {
      showError(problem, error);
    }
  } },
  h("h2", {}, "Remix"),
  h("p", {}, item.mine ? "Make a new version of your clip." : `Make your own version of ${item.owner}'s clip; it will say where it came from.`),
  field("Prompt", prompt, "What to change"), field("Strength", strength),
  h("button", { type: "submit" }, "Remix"), problem);

  main.append(
    h("h1", {}, `Published by ${item.owner}`),
    h("div", { class: "player" }, h("video", {
      controls: true, playsinline: true, loop: true, width: w, height: hgt,
      src: contentUrl(item, "video", true), poster: contentUrl(item, "thumbnail", true),
      "aria-label": `The clip: ${item.prompt}`,
    })),
    h("p", { class: "prompt" }, item.prompt),
    h("p", { class: "meta" }, `${item.size} · ${item.seconds} s · published ${when(item.published_at)}`),
    item.remixed_from_video_id ? h("p", {}, "A remix of ",
      h("a", { href: `#/feed/${item.remixed_from_video_id}` }, "another clip"),
      " (shown while it is published).") : null,
    remix,
    h("p", {}, h("a", { href: "#/feed" }, "Back to the feed")),
  );
}
