// The audit feed: every event, oldest first, searched by actor, event type,
// organisation and time range, paged both ways.

import { gql } from "./api.js";
import { h, fill, time, table, errorBox, localToIso } from "./dom.js";

const PAGE = 50;
const TYPES = ["Submitted", "Assigned", "NotesUpdated", "Ordered", "Provisioned", "OrderFailed", "Rejected", "Cancelled", "OrderLandedLate", "OrderMissing"];
const QUERY = `query Audit($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { position requestId organizationId sequence eventType actor correlationId occurredAt }
  }
}`;

const state = { filter: {}, cursors: [null] };

/** Renders the audit feed. */
export function renderAudit(main) {
  const results = h("div", { id: "audit", "aria-live": "polite" }, "Loading…");
  const pager = h("div", { class: "pager" });
  const f = state.filter;
  const actor = h("input", { name: "actor", value: f.actor || "", placeholder: "ops:… / partner:… / system" });
  const type = h("select", { name: "eventType" }, h("option", { value: "" }, "any"),
    TYPES.map((t) => h("option", { value: t, selected: f.eventType === t }, t)));
  const org = h("input", { name: "organization", type: "number", min: 1, value: f.organization || "" });
  const from = h("input", { name: "from", type: "datetime-local", value: f.from || "" });
  const to = h("input", { name: "to", type: "datetime-local", value: f.to || "" });
  const label = (text, input) => h("label", {}, h("span", {}, text), input);

  async function load() {
    const filter = {};
    if (state.filter.eventType) filter.eventTypes = [state.filter.eventType];
    if (state.filter.organization) filter.organization = Number(state.filter.organization);
    if (state.filter.from) filter.from = localToIso(state.filter.from);
    if (state.filter.to) filter.to = localToIso(state.filter.to);
    if (state.filter.actor) filter.actor = state.filter.actor;
    try {
      const data = await gql(QUERY, { filter, first: PAGE, after: state.cursors[state.cursors.length - 1] });
      const log = data.auditLog;
      fill(results,
        h("p", { class: "summary" }, `${log.totalCount} event${log.totalCount === 1 ? "" : "s"}`),
        table("Audit events, oldest first", ["Position", "When", "Event", "Actor", "Org", "Request", "Correlation"],
          log.nodes.map((e) => [
            String(e.position), time(e.occurredAt), `${e.eventType} (#${e.sequence})`, e.actor,
            String(e.organizationId),
            h("a", { href: `#/requests/${e.requestId}` }, e.requestId.slice(0, 8)),
            h("code", {}, e.correlationId || "—"),
          ]),
          "No event matches this search."));
      fill(pager,
        h("button", { type: "button", disabled: state.cursors.length === 1, onclick: () => { state.cursors.pop(); load(); } }, "‹ Earlier"),
        h("span", {}, `page ${state.cursors.length}`),
        h("button", {
          type: "button", disabled: !log.pageInfo.hasNextPage,
          onclick: () => { state.cursors.push(log.pageInfo.endCursor); load(); },
        }, "Later ›"));
    } catch (error) {
      fill(results, errorBox(error));
      fill(pager);
    }
  }

  const form = h("form", {
    class: "filters", "aria-label": "Search the audit feed", onsubmit: (event) => {
      event.preventDefault();
      state.filter = { actor: actor.value.trim(), eventType: type.value, organization: org.value, from: from.value, to: to.value };
      state.cursors = [null];
      load();
    },
  }, label("Actor", actor), label("Event type", type), label("Organisation", org),
  label("From", from), label("Before", to), h("button", { type: "submit" }, "Search"));
  fill(main, h("h1", {}, "Audit feed"), form, results, pager);
  load();
}
