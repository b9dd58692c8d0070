// What may be done to a request, by role and status: assign, notes, order,
// mark provisioned and reject (ops); cancel (its owner or ops).

import { gql, session } from "./api.js";
import { h } from "./dom.js";
import { actionForm } from "./forms.js";

const TERMINAL = ["PROVISIONED", "REJECTED", "CANCELLED"];
const RESULT = "id status version";

function mutation(name, args, values) {
  const params = Object.keys(args).map((k) => `$${k}: ${args[k]}`).join(", ");
  const pass = Object.keys(args).map((k) => `${k}: $${k}`).join(", ");
  return gql(`mutation(${params}) { ${name}(${pass}) { ${RESULT} } }`, values);
}

/** The actions panel for a request (hooks.reload refreshes the page). */
export function actionsPanel(r, hooks) {
  const done = () => hooks.reload();
  const forms = [];
  const open = !TERMINAL.includes(r.status);
  if (session.isOps && ["SUBMITTED", "ASSIGNED", "FAILED"].includes(r.status)) {
    forms.push(actionForm({
      id: "assign", title: r.status === "SUBMITTED" ? "Assign" : "Reassign", submit: "Assign",
      inputs: [
        { name: "assignee", label: "Operator", required: true, value: r.assignedTo || "" },
        { name: "notes", label: "Notes", rows: 2 },
      ],
      run: (v) => mutation("assignNumberRequest", { id: "ID!", assignee: "String!", notes: "String" },
        { id: r.id, assignee: v.assignee, notes: v.notes || null }),
      done,
    }));
  }
  if (session.isOps && r.status === "ASSIGNED") {
    forms.push(actionForm({
      id: "order", title: "Order at the carrier", submit: "Order numbers", inputs: [],
      run: () => mutation("orderNumbers", { id: "ID!" }, { id: r.id }),
      done,
    }));
  }
  if (session.isOps && ["ASSIGNED", "ORDERED"].includes(r.status)) {
    forms.push(actionForm({
      id: "provision", title: "Mark provisioned", submit: "Mark provisioned",
      inputs: [
        { name: "phoneNumbers", label: "Phone numbers (E.164, one a line)", rows: 3, required: true,
          value: (r.orderedNumbers || []).join("\n") },
        { name: "carrierOrderId", label: "Carrier order id", value: r.carrierOrderId || "" },
      ],
      run: (v) => mutation("markProvisioned", { id: "ID!", phoneNumbers: "[String!]!", carrierOrderId: "String" }, {
        id: r.id,
        phoneNumbers: v.phoneNumbers.split(/[\s,]+/).filter(Boolean),
        carrierOrderId: v.carrierOrderId || null,
      }),
      done,
    }));
  }
  if (session.isOps) {
    forms.push(actionForm({
      id: "notes", title: "Ops notes", submit: "Save notes",
      inputs: [{ name: "notes", label: "Notes", rows: 3, value: r.opsNotes || "" }],
      run: (v) => mutation("updateOpsNotes", { id: "ID!", notes: "String!" }, { id: r.id, notes: v.notes }),
      done,
    }));
  }
  if (session.isOps && open) {
    forms.push(actionForm({
      id: "reject", title: "Reject", submit: "Reject request", danger: true,
      inputs: [{ name: "reason", label: "Reason", required: true }],
      run: (v) => mutation("rejectNumberRequest", { id: "ID!", reason: "String!" }, { id: r.id, reason: v.reason }),
      done,
    }));
  }
  if (open) {
    forms.push(actionForm({
      id: "cancel", title: "Cancel", submit: "Cancel request", danger: true,
      inputs: [{ name: "reason", label: "Reason" }],
      run: (v) => mutation("cancelNumberRequest", { id: "ID!", reason: "String" }, { id: r.id, reason: v.reason || null }),
      done,
    }));
  }
  return h("section", { class: "actions", "data-actions": true, "aria-labelledby": "actions-h" },
    h("h2", { id: "actions-h" }, "Actions"),
    forms.length ? forms : h("p", { class: "empty" }, "Nothing more can be done: the request is closed."));
}
