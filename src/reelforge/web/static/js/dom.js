// A tiny element builder: h("button", {type: "button", onclick}, "Label").
// Attributes starting with "on" become listeners; `null`/`false` attributes are skipped;
// children may be strings, nodes, arrays or null.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

let fieldCount = 0;

// A labelled control: the label's `for` points at the control, and a hint (if any) is
// read out with it through aria-describedby.
export function field(label, control, hint = null) {
  const id = control.id || `f${++fieldCount}`;
  control.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

export function options(values, selected, labels = {}) {
  return values.map((v) =>
    h("option", { value: v, selected: String(v) === String(selected) }, labels[v] ?? String(v)),
  );
}

export function announce(text) {
  const region = document.getElementById("announce");
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 50);
}

// An error box a screen reader reads at once; `error` is an ApiError or a string.
export function errorBox(error) {
  const message = typeof error === "string" ? error : error.message;
  return h("div", { class: "error", role: "alert" }, message);
}

export function when(seconds) {
  return new Date(seconds * 1000).toLocaleString();
}

// Put an error in `container` and bring it into view (on a phone the form's end may be
// below the fold).
export function showError(container, error) {
  container.replaceChildren(errorBox(error));
  container.scrollIntoView({ block: "nearest" });
}
