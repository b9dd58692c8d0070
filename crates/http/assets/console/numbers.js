// Provisioned phone numbers, by organisation, paged both ways.

import { gql } from "./api.js";
import { h, fill, time, table, errorBox } from "./dom.js";

const PAGE = 50;
const QUERY = `query Numbers($filter: PhoneNumberFilter, $first: Int, $after: String) {
  phoneNumbers(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id phoneNumber organizationId accountId requestId requestNumber carrierOrderId status provisionedAt }
  }
}`;

/** Renders the numbers list. */
export function renderNumbers(main) {
  const state = { organization: "", cursors: [null] };
  const results = h("div", { id: "numbers", "aria-live": "polite" }, "Loading…");
  const pager = h("div", { class: "pager" });
  const org = h("input", { name: "organization", type: "number", min: 1 });

  async function load() {
    const filter = state.organization ? { organization: Number(state.organization) } : {};
    try {
      const data = await gql(QUERY, { filter, first: PAGE, after: state.cursors[state.cursors.length - 1] });
      const list = data.phoneNumbers;
      fill(results,
        h("p", { class: "summary" }, `${list.totalCount} number${list.totalCount === 1 ? "" : "s"}`),
        table("Provisioned numbers", ["Number", "Org", "Account", "Request", "Carrier order", "Live since"],
          list.nodes.map((n) => [
            h("strong", {}, n.phoneNumber), String(n.organizationId), h("code", {}, n.accountId),
            h("a", { href: `#/requests/${n.requestId}` }, `#${n.requestNumber}`),
            h("code", {}, n.carrierOrderId), time(n.provisionedAt),
          ]),
          "No numbers are provisioned yet."));
      fill(pager,
        h("button", { type: "button", disabled: state.cursors.length === 1, onclick: () => { state.cursors.pop(); load(); } }, "‹ Previous"),
        h("span", {}, `page ${state.cursors.length}`),
        h("button", {
          type: "button", disabled: !list.pageInfo.hasNextPage,
          onclick: () => { state.cursors.push(list.pageInfo.endCursor); load(); },
        }, "Next ›"));
    } catch (error) {
      fill(results, errorBox(error));
      fill(pager);
    }
  }

  fill(main, h("h1", {}, "Phone numbers"),
    h("form", {
      class: "filters", "aria-label": "Filter numbers", onsubmit: (event) => {
        event.preventDefault();
        state.organization = org.value;
        state.cursors = [null];
        load();
      },
    }, h("label", {}, h("span", {}, "Organisation"), org), h("button", { type: "submit" }, "Apply")),
    results, pager);
  load();
}
