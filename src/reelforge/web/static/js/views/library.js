// The queue and library: every job as a card, newest first; cards of jobs still queued
// or rendering update live, as often as the server paces polling.

import { FINISHED, get, watch } from "../api.js";
import { videoCard } from "../cards.js";
import { h } from "../dom.js";

const PAGE = 24;

export async function render(main, _params, ctx) {
  const cards = h("div", { class: "cards" });
  const more = h("button", { type: "button", class: "quiet", hidden: true }, "Show older clips");
  const empty = h("p", { hidden: true }, "Nothing yet. ", h("a", { href: "#/create" }, "Create your first clip."));
  let after = null;

  async function load() {
    const query = new URLSearchParams({ limit: PAGE, ...(after ? { after } : {}) });
    const page = await get(`/v1/videos?${query}`);
    for (const video of page.data) {
      const card = videoCard(video, { href: `#/clip/${video.id}` });
      cards.append(card);
      if (!FINISHED.includes(video.status)) watch(video.id, card.update, ctx.signal);
    }
    after = page.last_id;
    more.hidden = !page.has_more;
    empty.hidden = cards.childElementCount > 0;
  }
  more.addEventListener("click", load);

  main.append(
    h("h1", {}, "Library"),
    h("p", {}, "Every clip you made, newest first. Hover a thumbnail to look through it."),
    empty,
    cards,
    more,
  );
  await load();
}
