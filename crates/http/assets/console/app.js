// The console's shell: sign-in, navigation and the hash router
// (#/, #/requests/<id>, #/new, #/audit, #/numbers). Each view renders into
// <main> and returns a function that stops its live subscriptions.

import { session, signIn, whenUnauthenticated } from "./api.js";
import { h, fill, errorBox } from "./dom.js";
import { renderQueue } from "./queue.js";
import { renderDetail } from "./detail.js";
import { renderSubmit } from "./submit.js";
import { renderAudit } from "./audit.js";
import { renderNumbers } from "./numbers.js";

const main = document.getElementById("main");
let stop = () => {};
let notice = null;

function signInView() {
  const input = h("input", {
    id: "api-key", name: "key", type: "password", autocomplete: "off",
    required: true, spellcheck: "false", "aria-describedby": "key-help",
  });
  const problem = h("div", { id: "sign-in-error", "aria-live": "assertive" },
    notice ? errorBox(notice) : null);
  const button = h("button", { type: "submit" }, "Sign in");
  const form = h("form", {
    class: "card sign-in", onsubmit: async (event) => {
      event.preventDefault();
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      fill(problem);
      try {
        await signIn(input.value.trim());
        notice = null;
        input.value = "";
        render();
      } catch (error) {
        fill(problem, errorBox(error));
        input.focus();
      } finally {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }
    },
  },
  h("h1", {}, "Sign in"),
  h("label", { for: "api-key" }, "API key"),
  input,
  h("p", { id: "key-help", class: "help" },
    "An ops or partner key. It is kept in this tab only and sent in the Authorization header."),
  problem,
  button);
  fill(main, form);
  input.focus();
}

function chrome() {
  const signedIn = Boolean(session.key);
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("who").hidden = !signedIn;
  document.getElementById("role").textContent = signedIn ? `${session.role} key` : "";
  for (const link of document.querySelectorAll("#nav a")) {
    const here = link.getAttribute("href") === (location.hash || "#/");
    if (here) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function render() {
  stop();
  stop = () => {};
  chrome();
  if (!session.key) {
    signInView();
    return;
  }
  const hash = location.hash.replace(/^#/, "") || "/";
  const detail = hash.match(/^\/requests\/([0-9a-fA-F-]{36})$/);
  let view;
  if (detail) view = renderDetail(main, detail[1]);
  else if (hash === "/new") view = renderSubmit(main);
  else if (hash === "/audit") view = renderAudit(main);
  else if (hash === "/numbers") view = renderNumbers(main);
  else view = renderQueue(main);
  stop = typeof view === "function" ? view : () => {};
  const heading = main.querySelector("h1");
  if (heading && document.activeElement === document.body) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

whenUnauthenticated((error) => {
  notice = { message: `Your key was refused: ${error.message}. Sign in again.`, code: error.code };
  session.clear();
  render();
});

document.getElementById("sign-out").addEventListener("click", () => {
  notice = null;
  session.clear();
  location.hash = "#/";
  render();
});

window.addEventListener("hashchange", () => {
  document.activeElement && document.activeElement.blur();
  render();
});
render();
