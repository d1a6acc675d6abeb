// The structured helper: the seeds' prompt formula (subject, action, setting, camera,
// style, lighting) composed into one sentence, and "variants that change one thing".

export const CAMERAS = {
  static: "static camera",
  pan: "slow pan left",
  tilt: "the camera tilts up",
  "push-in": "slow push-in",
  "pull-out": "slow pull-out",
  tracking: "tracking shot",
  aerial: "aerial view",
  handheld: "handheld camera",
};

// What each "change one thing" variant swaps in: three values per dimension.
export const VARIANTS = {
  camera: ["static", "push-in", "tracking"],
  lighting: ["golden hour sunlight", "night under street lamps", "soft overcast light"],
  action: ["bounces", "rolls slowly", "falls and settles"],
};

function clean(text) {
  return (text || "").trim().replace(/\s+/g, " ").replace(/[.,\s]+$/, "");
}

// One prompt from the helper's parts: "<subject> <action> <setting>, <camera>, <style>,
// <lighting>" — empty parts are left out.
export function compose(parts) {
  const scene = [parts.subject, parts.action, parts.setting].map(clean).filter(Boolean).join(" ");
  const camera = parts.camera ? CAMERAS[parts.camera] || clean(parts.camera) : "";
  const pieces = [scene, camera, clean(parts.style), clean(parts.lighting)].filter(Boolean);
  return pieces.join(", ");
}

// Three prompts that differ only in `dimension` (camera, lighting or action).
export function variants(parts, dimension) {
  const values = VARIANTS[dimension];
  if (!values) throw new Error(`no variants for ${dimension}`);
  return values.map((value) => ({ label: value, prompt: compose({ ...parts, [dimension]: value }) }));
}

// Aspect and plan → the size to ask for: the largest the plan allows for that aspect,
// or the one the person picked.
export function sizeFor(choices, aspect, wanted) {
  const sizes = choices.sizes[aspect] || [];
  return sizes.includes(wanted) ? wanted : sizes[0];
}
