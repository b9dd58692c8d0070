// One request: every field, the time-travel control (numberRequestAsOf),
// the event timeline, fulfilment jobs, callback deliveries and the actions.

import { gql, session, subscribe } from "./api.js";
import { h, fill, time, status, table, errorBox, fields, value } from "./dom.js";
import { actionsPanel } from "./actions.js";

export const REQUEST_FIELDS = `id number organizationId accountId country numberType useCase status
  requestedArea companyName vatNumber address website contactName contactEmail assignedTo opsNotes
  provisionedNumberId quantity rangeSize areaCode city region comment callbackUrl attempt
  carrierOrderId orderedNumbers provisionedNumbers failedNumbers reason createdAt updatedAt version`;

const QUERY = `query Detail($id: ID!, $ops: Boolean!) {
  numberRequest(id: $id) { ${REQUEST_FIELDS} }
  history(requestId: $id) {
    position sequence eventType eventVersion actor correlationId causationId httpRequestId occurredAt
  }
  callbackDeliveries(requestId: $id) {
    id url requestStatus status attempts maxAttempts lastHttpStatus lastError nextAttemptAt finishedAt
  }
  jobs(requestId: $id) @include(if: $ops) {
    id kind key status attempts maxAttempts nextRunAt lastError lastHttpStatus createdAt finishedAt
  }
}`;

const AS_OF = `query AsOf($id: ID!, $at: DateTime!) { numberRequestAsOf(id: $id, at: $at) { ${REQUEST_FIELDS} } }`;

const EVENTS = `subscription RequestEvents($requestId: ID!) {
  numberRequestEvents(requestId: $requestId) { position eventType }
}`;

/** Renders a request; returns the function that stops its subscription. */
export function renderDetail(main, id) {
  const body = h("div", { id: "detail", "aria-busy": "true" }, "Loading…");
  fill(main, h("p", {}, h("a", { href: "#/" }, "‹ Queue")), h("h1", {}, "Request"), body);
  // A load put off while a call runs, and a live reload after an event:
  // two timers, so an event never cancels the load a finished call asked for.
  let deferred = null;
  let live = null;
  const hooks = { reload: load, asOf: "" };
  async function load() {
    try {
      const data = await gql(QUERY, { id, ops: session.isOps });
      // A call runs (a busy form or control): render once it is over, so a
      // re-render never wipes out its busy state or its answer.
      if (body.querySelector('[aria-busy="true"]')) {
        clearTimeout(deferred);
        deferred = setTimeout(() => { deferred = null; load(); }, 200);
        return;
      }
      if (!data.numberRequest) {
        fill(body, h("p", { class: "empty" }, "No such request, or it is not one of yours."));
        return;
      }
      show(main, body, data, hooks);
    } catch (error) {
      fill(body, ["NOT_FOUND", "FORBIDDEN"].includes(error.code)
        ? h("p", { class: "empty" }, "No such request, or it is not one of yours.")
        : errorBox(error));
    } finally {
      body.setAttribute("aria-busy", "false");
    }
  }
  load();
  // A change by someone else reloads the page, unless the user is typing
  // into an action's form: then a button offers the reload. (While a call
  // runs, load() itself waits before it renders.)
  const unsubscribe = subscribe(EVENTS, { requestId: id }, () => {
    clearTimeout(live);
    live = setTimeout(() => {
      // A finished call's own load is due: it shows this change too (and
      // the call's form still holds what was typed into it).
      if (deferred) return;
      const typing = [...body.querySelectorAll(".actions input, .actions textarea")]
        .some((el) => el.value !== el.defaultValue);
      if (!typing) {
        load();
        return;
      }
      const slot = body.querySelector("#changed");
      if (slot) fill(slot, h("button", { type: "button", onclick: load }, "This request changed: reload"));
    }, 100);
  });
  return () => { clearTimeout(deferred); clearTimeout(live); unsubscribe(); };
}

function show(main, body, data, hooks) {
  const r = data.numberRequest;
  fill(main.querySelector("h1"), `Request #${r.number} `, status(r.status));
  const state = h("section", { id: "state", "aria-labelledby": "state-h" });
  const showState = (request, asOf) => fill(state,
    h("h2", { id: "state-h" }, asOf ? "State as of the selected event" : "Current state"),
    asOf ? h("p", { class: "as-of", role: "status" }, "Showing the request as of ", time(asOf),
      ` — status `, status(request.status)) : null,
    requestFields(request));
  showState(r, null);
  fill(body,
    h("div", { class: "detail-grid" },
      h("div", {}, h("div", { id: "changed", role: "status" }), timeTravel(r, data.history, showState, hooks), state),
      h("div", {}, actionsPanel(r, hooks))),
    h("section", { "aria-labelledby": "timeline-h" },
      h("h2", { id: "timeline-h" }, "Event timeline"), timeline(data.history)),
    session.isOps ? h("section", { "aria-labelledby": "jobs-h" },
      h("h2", { id: "jobs-h" }, "Fulfilment jobs"), jobs(data.jobs || [])) : null,
    h("section", { "aria-labelledby": "callbacks-h" },
      h("h2", { id: "callbacks-h" }, "Callback deliveries"), callbacks(data.callbackDeliveries)));
}

function requestFields(r) {
  return fields([
    ["Status", status(r.status)], ["Reason", r.reason],
    ["Organisation", r.organizationId], ["Account", r.accountId],
    ["Country", r.country], ["Number type", r.numberType], ["Quantity", r.quantity],
    ["Range size", r.rangeSize], ["Use case", r.useCase], ["Requested area", r.requestedArea],
    ["Area code", r.areaCode], ["City", r.city], ["Region", r.region],
    ["Company", r.companyName], ["VAT number", r.vatNumber], ["Address", r.address],
    ["Website", r.website], ["Contact", `${r.contactName} <${r.contactEmail}>`],
    ["Comment", r.comment], ["Callback URL", r.callbackUrl],
    ["Assigned to", r.assignedTo], ["Ops notes", r.opsNotes], ["Attempt", r.attempt],
    ["Carrier order id", h("span", { id: "carrier-order-id" }, value(r.carrierOrderId))],
    ["Ordered numbers", r.orderedNumbers],
    ["Provisioned numbers", h("span", { id: "provisioned-numbers" }, value(r.provisionedNumbers))],
    ["Failed numbers", r.failedNumbers], ["Provisioned number id", r.provisionedNumberId],
    ["Submitted", time(r.createdAt)], ["Updated", time(r.updatedAt)], ["Version", r.version],
    ["Id", h("code", {}, r.id)],
  ]);
}

/** The time-travel control; the chosen instant survives live reloads. */
function timeTravel(current, history, showState, hooks) {
  const problem = h("div", { "aria-live": "polite" });
  async function apply(at) {
    hooks.asOf = at;
    fill(problem);
    if (!at) {
      showState(current, null);
      return;
    }
    select.setAttribute("aria-busy", "true");
    try {
      const data = await gql(AS_OF, { id: current.id, at });
      if (hooks.asOf !== at) return;
      if (data.numberRequestAsOf) showState(data.numberRequestAsOf, at);
      else fill(problem, h("p", { class: "empty" }, "The request did not exist yet."));
    } catch (error) {
      fill(problem, errorBox(error));
    } finally {
      select.removeAttribute("aria-busy");
    }
  }
  const select = h("select", { id: "as-of", onchange: () => apply(select.value) },
    h("option", { value: "" }, "now (latest event)"),
    [...history].reverse().map((e) => h("option", { value: e.occurredAt, selected: e.occurredAt === hooks.asOf },
      `#${e.sequence} ${e.eventType} — ${new Date(e.occurredAt).toLocaleString()}`)));
  if (hooks.asOf) apply(hooks.asOf);
  return h("div", { class: "time-travel" },
    h("label", { for: "as-of" }, "Time travel: show the request as of "), select, problem);
}

function timeline(history) {
  return table("Events of this request", ["#", "Event", "When", "Actor", "Correlation", "Causation", "HTTP request"],
    history.map((e) => h("tr", { dataset: { event: e.eventType } },
      h("td", {}, String(e.sequence)),
      h("td", {}, `${e.eventType} v${e.eventVersion}`),
      h("td", {}, time(e.occurredAt)),
      h("td", {}, e.actor),
      h("td", {}, h("code", {}, e.correlationId || "—")),
      h("td", {}, h("code", {}, e.causationId || "—")),
      h("td", {}, h("code", {}, e.httpRequestId || "—")))),
    "No events.");
}

function jobs(list) {
  return table("Fulfilment jobs", ["Kind", "Status", "Attempts", "Next run", "Last error", "Created", "Finished"],
    list.map((j) => [
      h("span", { title: j.key }, j.kind), status(j.status),
      `${j.attempts}${j.maxAttempts ? ` / ${j.maxAttempts}` : ""}`,
      time(j.nextRunAt), value(j.lastError), time(j.createdAt), time(j.finishedAt),
    ]),
    "No fulfilment jobs.");
}

function callbacks(list) {
  return table("Callback deliveries", ["Status reported", "URL", "Delivery", "Attempts", "Last HTTP", "Next attempt", "Last error"],
    list.map((c) => [
      c.requestStatus, h("code", {}, c.url), status(c.status),
      `${c.attempts}${c.maxAttempts ? ` / ${c.maxAttempts}` : ""}`,
      value(c.lastHttpStatus), time(c.nextAttemptAt), value(c.lastError),
    ]),
    "No callbacks (the request has no callback URL, or nothing changed yet).");
}
