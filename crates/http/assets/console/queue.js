// The queue: requests newest first, filters, counts by status, paging both
// ways (a stack of cursors), refreshed live by the event subscription.

import { gql, subscribe } from "./api.js";
import { h, fill, time, status, table, errorBox, localToIso } from "./dom.js";

const PAGE = 20;
const STATUSES = ["SUBMITTED", "ASSIGNED", "ORDERED", "PROVISIONED", "FAILED", "REJECTED", "CANCELLED"];

const QUERY = `query Queue($filter: NumberRequestFilter, $first: Int, $after: String, $org: Int) {
  numberRequests(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id number status organizationId country numberType quantity assignedTo companyName createdAt }
  }
  stats(organization: $org) { total byStatus { status count } }
}`;

const EVENTS = `subscription QueueEvents($organization: Int) {
  numberRequestEvents(organization: $organization) { position requestId eventType }
}`;

// Kept across visits, so returning from a request shows the same page.
const state = { filter: {}, cursors: [null] };

function variables() {
  const f = state.filter;
  const filter = {};
  if (f.status) filter.status = [f.status];
  if (f.country) filter.country = f.country.toUpperCase();
  if (f.organization) filter.organization = Number(f.organization);
  if (f.from) filter.createdAfter = localToIso(f.from);
  if (f.to) filter.createdBefore = localToIso(f.to);
  return {
    filter,
    first: PAGE,
    after: state.cursors[state.cursors.length - 1],
    org: filter.organization ?? null,
  };
}

/** Renders the queue; returns the function that stops its subscription. */
export function renderQueue(main) {
  const counts = h("div", { class: "counts", role: "group", "aria-label": "Counts by status" });
  const list = h("div", { id: "queue", "aria-live": "polite", "aria-busy": "true" }, "Loading…");
  const pager = h("div", { class: "pager" });
  fill(main, h("h1", {}, "Queue"), filters(), counts, list, pager);

  let timer = null;
  async function load() {
    list.setAttribute("aria-busy", "true");
    try {
      const data = await gql(QUERY, variables());
      showCounts(counts, data.stats);
      showList(list, data.numberRequests);
      showPager(pager, data.numberRequests);
    } catch (error) {
      fill(list, errorBox(error));
      fill(pager);
    } finally {
      list.setAttribute("aria-busy", "false");
    }
  }
  state.reload = load;
  load();
  const unsubscribe = subscribe(EVENTS, { organization: variables().org }, () => {
    clearTimeout(timer);
    timer = setTimeout(load, 100);
  }, (error) => fill(list, errorBox(error)));
  return () => { clearTimeout(timer); unsubscribe(); state.reload = null; };
}

function restart() {
  state.cursors = [null];
  if (state.reload) state.reload();
}

function filters() {
  const f = state.filter;
  const field = (label, input) => h("label", {}, h("span", {}, label), input);
  const status = h("select", { name: "status" },
    h("option", { value: "" }, "any"),
    STATUSES.map((s) => h("option", { value: s, selected: f.status === s }, s.toLowerCase())));
  const country = h("input", { name: "country", value: f.country || "", size: 3, maxlength: 2, placeholder: "NL" });
  const org = h("input", { name: "organization", type: "number", min: 1, value: f.organization || "" });
  const from = h("input", { name: "from", type: "datetime-local", value: f.from || "" });
  const to = h("input", { name: "to", type: "datetime-local", value: f.to || "" });
  const form = h("form", {
    class: "filters", "aria-label": "Filters", onsubmit: (event) => {
      event.preventDefault();
      state.filter = {
        status: status.value, country: country.value.trim(), organization: org.value,
        from: from.value, to: to.value,
      };
      restart();
    },
  },
  field("Status", status), field("Country", country), field("Organisation", org),
  field("Submitted from", from), field("until", to),
  h("button", { type: "submit" }, "Apply"),
  h("button", {
    type: "button", onclick: () => {
      state.filter = {};
      form.reset();
      for (const el of form.querySelectorAll("input")) el.value = "";
      status.value = "";
      restart();
    },
  }, "Clear"));
  return form;
}

function showCounts(el, stats) {
  const button = (label, value, count) => h("button", {
    type: "button",
    class: "count",
    "aria-pressed": String((state.filter.status || "") === value),
    onclick: () => {
      state.filter = { ...state.filter, status: value };
      const select = document.querySelector(".filters select[name=status]");
      if (select) select.value = value;
      restart();
    },
  }, h("span", { class: "count-label" }, label), h("strong", { dataset: { status: value || "ALL" } }, String(count)));
  fill(el,
    button("all", "", stats.total),
    stats.byStatus.map((s) => button(s.status.toLowerCase(), s.status, s.count)));
}

function showList(el, connection) {
  const rows = connection.nodes.map((r) => h("tr", { dataset: { id: r.id } },
    h("td", {}, h("a", { href: `#/requests/${r.id}` }, `#${r.number}`)),
    h("td", {}, status(r.status)),
    h("td", {}, String(r.organizationId)),
    h("td", {}, r.companyName || "—"),
    h("td", {}, `${r.country} · ${r.numberType}`),
    h("td", { class: "num" }, String(r.quantity)),
    h("td", {}, r.assignedTo || "—"),
    h("td", {}, time(r.createdAt))));
  fill(el,
    h("p", { class: "summary" }, `${connection.totalCount} request${connection.totalCount === 1 ? "" : "s"}`),
    table("Requests, newest first",
      ["#", "Status", "Org", "Company", "Country · type", "Qty", "Assigned to", "Submitted"],
      rows,
      Object.values(state.filter).some(Boolean)
        ? "No request matches these filters."
        : "No requests yet. New ones appear here as they are submitted."));
}

function showPager(el, connection) {
  const page = state.cursors.length;
  fill(el,
    h("button", {
      type: "button", disabled: page === 1, onclick: () => { state.cursors.pop(); state.reload(); },
    }, "‹ Newer"),
    h("span", {}, `page ${page} of ${Math.max(1, Math.ceil(connection.totalCount / PAGE))}`),
    h("button", {
      type: "button", disabled: !connection.pageInfo.hasNextPage,
      onclick: () => { state.cursors.push(connection.pageInfo.endCursor); state.reload(); },
    }, "Older ›"));
}
