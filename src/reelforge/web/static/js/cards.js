// A job as a card: thumbnail (scrubbed through its spritesheet on hover), a live
// progress bar while it renders, and its status or error in plain words.

import { contentUrl } from "./api.js";
import { h } from "./dom.js";

const TILE_WIDTH = 160; // the spritesheet's tile width (media/previews.py)

export function statusText(video) {
  if (video.status === "queued") return "Waiting in the queue";
  if (video.status === "in_progress" && video.review === "pending") return "Held for review by an admin";
  if (video.status === "in_progress") return `Rendering — ${video.progress}%`;
  if (video.status === "completed") return "Ready";
  if (video.status === "failed") return `Failed: ${failure(video.error)}`;
  return video.status;
}

export function failure(error) {
  if (!error) return "the job failed";
  if (error.code === "moderation_blocked") return `blocked by moderation — ${error.message}`;
  return error.message;
}

// `published`: the card shows a feed clip (its files come from the feed's routes).
export function videoCard(video, { href, published = false, owner = null } = {}) {
  const thumb = h("div", { class: "thumb", "aria-hidden": "true" });
  const bar = h("progress", { max: 100, value: video.progress, "aria-label": "Progress" });
  const status = h("p", { class: "status" });
  const title = h("a", { href, class: "card-title" }, video.prompt || "(no prompt)");
  const card = h(
    "article",
    { class: "card", dataset: { id: video.id } },
    thumb,
    h("div", { class: "card-body" },
      title,
      owner ? h("p", { class: "owner" }, `by ${owner}`) : null,
      h("p", { class: "meta" }, `${video.size} · ${video.seconds} s`),
      bar,
      status),
  );
  card.update = (next) => {
    card.dataset.status = next.status;
    status.textContent = statusText(next);
    bar.value = next.progress;
    bar.hidden = next.status !== "queued" && next.status !== "in_progress";
    if (next.status === "completed" && !thumb.firstChild) fillThumb(thumb, next, published);
    if (next.status === "failed") status.classList.add("failed");
  };
  card.update(video);
  return card;
}

function fillThumb(thumb, video, published) {
  const img = h("img", { src: contentUrl(video, "thumbnail", published), alt: "", loading: "lazy" });
  thumb.append(img);
  const [w, hgt] = video.size.split("x").map(Number);
  thumb.style.aspectRatio = `${w} / ${hgt}`;
  scrub(thumb, contentUrl(video, "spritesheet", published), w, hgt);
}

// Hovering a thumbnail shows the spritesheet's tile under the pointer: a quick look
// through the clip without loading the video.
function scrub(thumb, sheetUrl, width, height) {
  const layer = h("div", { class: "scrub" });
  thumb.append(layer);
  let grid = null;
  let pointer = null; // where the pointer is over the thumbnail (0..1), null when away
  const show = () => {
    if (!grid || pointer === null) return;
    const tiles = grid.columns * grid.rows;
    const index = Math.min(tiles - 1, Math.floor(pointer * tiles));
    const col = index % grid.columns;
    const row = Math.floor(index / grid.columns);
    const x = grid.columns > 1 ? (col / (grid.columns - 1)) * 100 : 0;
    const y = grid.rows > 1 ? (row / (grid.rows - 1)) * 100 : 0;
    layer.style.backgroundPosition = `${x}% ${y}%`;
    layer.classList.add("on");
  };
  const track = (event) => {
    const box = thumb.getBoundingClientRect();
    pointer = Math.max(0, Math.min(0.999, (event.clientX - box.left) / box.width));
    show();
  };
  thumb.addEventListener("pointerenter", (event) => {
    track(event);
    if (grid) return;
    const sheet = new Image();
    sheet.onload = () => {
      const tileHeight = Math.max(1, Math.round((TILE_WIDTH * height) / width));
      const columns = Math.max(1, Math.round(sheet.naturalWidth / TILE_WIDTH));
      const rows = Math.max(1, Math.round(sheet.naturalHeight / tileHeight));
      grid = { columns, rows };
      layer.style.backgroundImage = `url("${sheetUrl}")`;
      layer.style.backgroundSize = `${columns * 100}% ${rows * 100}%`;
      show(); // the pointer may have stopped before the sheet arrived
    };
    sheet.src = sheetUrl;
  });
  thumb.addEventListener("pointermove", track);
  thumb.addEventListener("pointerleave", () => {
    pointer = null;
    layer.classList.remove("on");
  });
}
