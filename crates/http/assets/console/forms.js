// Forms that run one API call: a busy state while it runs, and the API's
// field errors (extensions.fields) shown beside the field they name.

import { h, fill, errorBox } from "./dom.js";

let formCount = 0;

/** The input name an API field name refers to: `input.contactEmail`,
 *  `phone_numbers` and `phoneNumbers[1]` all name their input. */
function inputName(field) {
  return field
    .replace(/^input\./, "")
    .replace(/\[\d+\]$/, "")
    .replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

/**
 * A form: `inputs` are {name, label, type?, required?, rows?, value?, help?};
 * `run(values)` performs the call; `done(result)` runs after success.
 */
export function actionForm({ id, title, inputs, submit, run, done, danger }) {
  formCount += 1;
  const prefix = `${id}-${formCount}`;
  const problem = h("div", { class: "form-error", "aria-live": "assertive" });
  const button = h("button", { type: "submit", class: danger ? "danger" : "" }, submit);
  const controls = inputs.map((spec) => {
    const inputId = `${prefix}-${spec.name}`;
    const errorId = `${inputId}-error`;
    const attrs = {
      id: inputId, name: spec.name, required: spec.required,
      "aria-describedby": errorId, placeholder: spec.placeholder,
    };
    const input = spec.rows
      ? h("textarea", { ...attrs, rows: spec.rows }, spec.value || "")
      : h("input", { ...attrs, type: spec.type || "text", value: spec.value ?? "", min: spec.min, max: spec.max });
    return h("div", { class: "field" },
      h("label", { for: inputId }, spec.label, spec.required ? h("span", { "aria-hidden": "true" }, " *") : null),
      input,
      spec.help ? h("small", { class: "help" }, spec.help) : null,
      h("p", { class: "field-error", id: errorId, "data-field": spec.name }));
  });
  const form = h("form", {
    id, class: "action", novalidate: true, "aria-labelledby": `${prefix}-title`,
    onsubmit: async (event) => {
      event.preventDefault();
      for (const el of form.querySelectorAll(".field-error")) el.textContent = "";
      for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
      fill(problem);
      const values = {};
      for (const spec of inputs) values[spec.name] = form.elements[spec.name].value;
      setBusy(form, button, true);
      try {
        const result = await run(values);
        if (done) await done(result);
      } catch (error) {
        showError(form, problem, error);
      } finally {
        setBusy(form, button, false);
      }
    },
  }, title ? h("h3", { id: `${prefix}-title` }, title) : null, controls, problem, button);
  return form;
}

function setBusy(form, button, busy) {
  const panel = form.closest("[data-actions]") || form;
  panel.setAttribute("aria-busy", String(busy));
  for (const el of panel.querySelectorAll("button")) el.disabled = busy;
  if (busy) {
    button.dataset.label = button.textContent;
    button.textContent = "Working…";
  } else if (button.dataset.label) {
    button.textContent = button.dataset.label;
  }
}

function showError(form, problem, error) {
  const unplaced = [];
  for (const [field, reason] of Object.entries(error.fields || {})) {
    const name = inputName(field);
    const input = form.elements[name]
      || [...form.elements].find((el) => el.name && (name.startsWith(el.name) || el.name.startsWith(name)));
    if (!input) {
      unplaced.push(`${field}: ${reason}`);
      continue;
    }
    input.setAttribute("aria-invalid", "true");
    const slot = form.querySelector(`.field-error[data-field="${input.name}"]`);
    slot.textContent = reason;
  }
  if (Object.keys(error.fields || {}).length === 0 || unplaced.length > 0) {
    fill(problem, errorBox({ message: unplaced.length ? unplaced.join("; ") : error.message, code: error.code }));
  }
  const first = form.querySelector("[aria-invalid=true]");
  if (first) first.focus();
}
