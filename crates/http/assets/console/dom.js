// Small DOM helpers: elements are built with h(), never from HTML strings,
// so nothing the API returns is ever parsed as markup.

/** Builds an element: h("a", {href: "#/", onclick: fn}, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An instant in the browser's zone, with UTC on hover. */
export function time(iso) {
  if (!iso) return h("span", { class: "muted" }, "—");
  const date = new Date(iso);
  const local = date.toLocaleString(undefined, {
    year: "numeric", month: "short", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  return h("time", { datetime: iso, title: `${date.toISOString().replace(".000Z", "Z")} UTC` }, local);
}

/** A status as a coloured badge. */
export function status(value) {
  const text = String(value || "").toLowerCase();
  return h("span", { class: `badge status-${text}` }, text || "—");
}

/** A value, or a dash when empty. */
export function value(v) {
  if (v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) {
    return h("span", { class: "muted" }, "—");
  }
  return Array.isArray(v) ? v.join(", ") : String(v);
}

/** A table in a scrolling wrapper; rows are arrays of cells. */
export function table(caption, headings, rows, empty) {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h("table", {},
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, headings.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((cells) => Array.isArray(cells)
        ? h("tr", {}, cells.map((c) => h("td", {}, c)))
        : cells))));
}

/** An error box (role=alert) for a failed call. */
export function errorBox(error) {
  const code = error && error.code ? ` (${error.code})` : "";
  return h("div", { class: "error", role: "alert" }, `${error.message || error}${code}`);
}

/** A definition list from [label, value] pairs. */
export function fields(pairs) {
  return h("dl", { class: "fields" },
    pairs.map(([label, v]) => [h("dt", {}, label), h("dd", {}, v instanceof Node ? v : value(v))]));
}

/** Converts an <input type=datetime-local> value to RFC 3339 (UTC), or null. */
export function localToIso(v) {
  if (!v) return null;
  const date = new Date(v);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
