// The storyboard editor: timed cards on a timeline (add, edit, reorder, set durations,
// cut or continue from the card before) and one button that renders them as one clip.

import { get, hasRoute, post } from "../api.js";
import { showError, field, h, options } from "../dom.js";

export async function render(main, _params, _ctx) {
  main.append(h("h1", {}, "Storyboard"));
  if (!(await hasRoute("/v1/studio/storyboards"))) {
    main.append(h("p", {}, "This server does not render storyboards yet."));
    return;
  }
  const account = await get("/v1/studio/account");
  const sizes = Object.values(account.choices.sizes).flat();
  const cards = [
    { prompt: "", seconds: 2, cut: false },
    { prompt: "", seconds: 2, cut: false },
  ];
  const timeline = h("div", { class: "timeline", role: "img", "aria-label": "Timeline" });
  const list = h("ol", { class: "board" });
  const total = h("p", { class: "meta", "aria-live": "polite" });
  const size = h("select", { name: "size" }, options(sizes, sizes[0]));
  const problem = h("div");

  function draw(focus = null) {
    const seconds = cards.reduce((sum, c) => sum + Number(c.seconds || 0), 0);
    total.textContent = `${cards.length} cards · ${seconds} s in all`;
    timeline.setAttribute("aria-label", `Timeline: ${cards.map((c, i) => `card ${i + 1}, ${c.seconds} s`).join("; ")}`);
    timeline.replaceChildren(...cards.map((c, i) => h("span", {
      class: c.cut ? "segment cut" : "segment", style: `flex-grow: ${Number(c.seconds) || 0.1}`,
    }, `${i + 1}`)));
    list.replaceChildren(...cards.map(cardEditor));
    if (focus) list.querySelector(focus)?.focus();
  }

  function cardEditor(card, i) {
    const prompt = h("textarea", { name: `prompt-${i}`, rows: 2, required: true });
    prompt.value = card.prompt;
    prompt.addEventListener("input", () => (card.prompt = prompt.value));
    const seconds = h("input", { type: "number", name: `seconds-${i}`, min: 1, max: account.plan.max_seconds, step: 1, value: card.seconds });
    seconds.addEventListener("change", () => ((card.seconds = Number(seconds.value)), draw()));
    const cut = h("select", { name: `cut-${i}` }, options(["continue", "cut"], card.cut ? "cut" : "continue",
      { continue: "Continue from the card before", cut: "Cut to a new shot" }));
    cut.disabled = i === 0;
    cut.addEventListener("change", () => ((card.cut = cut.value === "cut"), draw()));
    const move = (to, label, cls) => h("button", {
      type: "button", class: `quiet ${cls}`, disabled: to < 0 || to >= cards.length,
      "aria-label": `${label} card ${i + 1}`,
      onclick: () => {
        [cards[i], cards[to]] = [cards[to], cards[i]];
        draw(`li:nth-child(${to + 1}) .${cls}`);
      },
    }, label);
    return h("li", { class: "panel story-card" },
      h("h2", {}, `Card ${i + 1}`),
      field("What happens", prompt),
      h("div", { class: "grid" }, field("Seconds", seconds), field("Join", cut)),
      h("div", { class: "row" },
        move(i - 1, "Earlier", "up"), move(i + 1, "Later", "down"),
        h("button", { type: "button", class: "quiet", disabled: cards.length <= 1,
          "aria-label": `Remove card ${i + 1}`,
          onclick: () => (cards.splice(i, 1), draw()) }, "Remove")));
  }

  const add = h("button", { type: "button", class: "quiet", onclick: () => {
    cards.push({ prompt: "", seconds: 2, cut: false });
    draw(`li:last-child textarea`);
  } }, "Add a card");
  const renderButton = h("button", { type: "submit" }, "Render the storyboard");
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    renderButton.disabled = true;
    try {
      const made = await post("/v1/studio/storyboards", {
        size: size.value,
        cards: cards.map((c, i) => ({ prompt: c.prompt.trim(), seconds: Number(c.seconds), cut: i > 0 && c.cut })),
      });
      location.hash = `#/clip/${made.id}`;
    } catch (error) {
      showError(problem, error);
    } finally {
      renderButton.disabled = false;
    }
  } }, field("Size", size), timeline, total, list, add, renderButton, problem);

  main.append(h("p", {}, "Each card is a shot with its own prompt and length; the whole board becomes one clip."), form);
  draw();
}
