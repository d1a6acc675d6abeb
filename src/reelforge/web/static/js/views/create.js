// Create: a prompt box, the structured helper (the seeds' formula), what to leave out,
// size and length within the plan, 1-4 variations or three variants that change one
// thing, and an optional image or video with the consent attestation.

import { get, request, watch } from "../api.js";
import { videoCard } from "../cards.js";
import { showError, field, h, options } from "../dom.js";
import { CAMERAS, compose, sizeFor, variants } from "../prompt.js";

const ASPECTS = ["16:9", "9:16", "1:1"];

export async function render(main, _params, ctx) {
  const account = await get("/v1/studio/account");
  const choices = account.choices;

  // -- the prompt and its helper -------------------------------------------------------
  const prompt = h("textarea", { name: "prompt", rows: 3, required: true, maxlength: 4000 });
  const parts = {
    subject: h("input", { name: "subject", placeholder: "a red ball" }),
    action: h("input", { name: "action", placeholder: "bounces to the right" }),
    setting: h("input", { name: "setting", placeholder: "across a meadow" }),
    camera: h("select", { name: "camera" }, h("option", { value: "" }, "(any)"),
      options(Object.keys(CAMERAS), "")),
    style: h("input", { name: "style", placeholder: "cinematic" }),
    lighting: h("input", { name: "lighting", placeholder: "golden hour sunlight" }),
  };
  const preview = h("p", { class: "preview", "aria-live": "polite" });
  const partValues = () => Object.fromEntries(Object.entries(parts).map(([k, el]) => [k, el.value]));
  // Variants start from the helper's parts, or from the prompt box when the helper is empty.
  const base = () => {
    const values = partValues();
    return Object.values(values).some((v) => v.trim()) ? values : { subject: prompt.value };
  };
  const refresh = () => {
    preview.textContent = compose(partValues()) || "Fill in any of the parts above.";
    showVariants();
  };
  for (const el of Object.values(parts)) el.addEventListener("input", refresh);
  const helper = h("details", { class: "helper" },
    h("summary", {}, "Prompt helper: subject, action, setting, camera, style, lighting"),
    h("div", { class: "grid" },
      field("Subject", parts.subject),
      field("Action", parts.action),
      field("Setting", parts.setting),
      field("Camera movement", parts.camera),
      field("Style", parts.style),
      field("Lighting", parts.lighting)),
    h("p", {}, "Prompt from the helper: "), preview,
    h("button", { type: "button", class: "quiet", onclick: () => {
      const text = compose(partValues());
      if (text) prompt.value = text;
      prompt.focus();
    } }, "Use as prompt"));

  const negative = h("input", { name: "negative_prompt", placeholder: "rain, text on screen" });

  // -- size, length, model, how many ----------------------------------------------------
  const aspect = h("select", { name: "aspect" }, options(ASPECTS, "16:9"));
  const size = h("select", { name: "size" });
  const fillSizes = () => size.replaceChildren(...options(choices.sizes[aspect.value], size.value));
  aspect.addEventListener("change", fillSizes);
  fillSizes();
  const seconds = h("select", { name: "seconds" }, options(choices.seconds, choices.seconds[0]));
  const model = h("select", { name: "model" }, options(account.models, account.default_model));
  const count = h("select", { name: "variations" }, options([1, 2, 3, 4], 1));
  const vary = h("select", { name: "vary" },
    options(["", "camera", "lighting", "action"], "", { "": "No" }));
  const variantList = h("ol", { class: "variants", "aria-label": "The three prompts" });
  function showVariants() {
    variantList.replaceChildren(
      ...(vary.value ? variants(base(), vary.value).map((v) => h("li", {}, v.prompt)) : []));
    count.disabled = Boolean(vary.value);
  }
  vary.addEventListener("change", showVariants);
  prompt.addEventListener("input", () => vary.value && showVariants());

  // -- an image or a video to start from ------------------------------------------------
  const upload = h("input", { type: "file", name: "upload", accept: "image/*,video/*" });
  const consent = h("input", { type: "checkbox", name: "consent" });
  const consentField = h("div", { class: "check", hidden: true },
    consent, h("label", { for: "consent" }, "Everyone shown in this file agreed to appear in it"));
  consent.id = "consent";
  upload.addEventListener("change", () => (consentField.hidden = !upload.files.length));

  const problem = h("div");
  const made = h("div", { class: "cards", "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Create");
  const form = h("form", { class: "panel", onsubmit: create },
    field("Prompt", prompt, "Describe the shot: who or what, doing what, where, how the camera moves."),
    helper,
    field("Leave out", negative, "Plain words for what the clip must not show."),
    h("div", { class: "grid" },
      field("Aspect", aspect),
      field("Resolution", size, `Your ${account.plan.name} plan allows up to ${account.plan.max_short_side}p.`),
      field("Duration (seconds)", seconds, `Up to ${account.plan.max_seconds} s on your plan.`),
      account.models.length > 1 ? field("Model", model) : null,
      field("Variations", count),
      field("Variants that change one thing", vary, "Three prompts from the helper that differ only in this.")),
    variantList,
    field("Start from an image or video (optional)", upload,
      "An image becomes the first frame; a video is re-imagined with your prompt."),
    consentField,
    submit,
    problem);

  async function create(event) {
    event.preventDefault();
    problem.replaceChildren();
    const prompts = vary.value
      ? variants(base(), vary.value).map((v) => v.prompt)
      : Array(Number(count.value)).fill(prompt.value.trim());
    if (!prompts[0]) {
      showError(problem, "Write a prompt, or fill the helper and choose what to vary.");
      return prompt.focus();
    }
    submit.disabled = true;
    try {
      const file = upload.files[0] || null;
      for (const text of prompts) {
        const video = await submitOne(text, file);
        const card = videoCard(video, { href: `#/clip/${video.id}` });
        made.prepend(card);
        watch(video.id, card.update, ctx.signal);
      }
    } catch (error) {
      showError(problem, error);
    } finally {
      submit.disabled = false;
    }
  }

  async function submitOne(text, file) {
    const chosen = sizeFor(choices, aspect.value, size.value);
    const body = new FormData();
    body.set("prompt", text);
    if (consent.checked) body.set("consent", "true");
    if (negative.value.trim()) body.set("negative_prompt", negative.value.trim());
    if (file && file.type.startsWith("video/")) {
      body.set("video", file, file.name);
      return (await request("POST", "/v1/videos/edits", body)).data;
    }
    body.set("size", chosen);
    body.set("seconds", seconds.value);
    body.set("model", model.value);
    if (file) body.set("input_reference", await fitImage(file, chosen), "reference.png");
    return (await request("POST", "/v1/videos", body)).data;
  }

  refresh();
  main.append(
    h("h1", {}, "Create"),
    h("p", { class: "quota" }, quotaLine(account)),
    form,
    h("h2", {}, "Just made"),
    made,
    h("p", {}, h("a", { href: "#/library" }, "All your clips are in the library.")),
  );
}

export function quotaLine(account) {
  const left = account.usage.seconds_left;
  const quota = left === null ? "no monthly limit" : `${left} s left this month`;
  return `${account.plan.name} plan · ${quota} · ${account.jobs.running} of ${account.jobs.concurrency} jobs running`;
}

// The image scaled and centre-cropped to the requested size: the API wants the first
// frame at exactly the size of the video.
async function fitImage(file, size) {
  const [width, height] = size.split("x").map(Number);
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const scale = Math.max(width / bitmap.width, height / bitmap.height);
  const w = bitmap.width * scale;
  const hgt = bitmap.height * scale;
  canvas.getContext("2d").drawImage(bitmap, (width - w) / 2, (height - hgt) / 2, w, hgt);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}
