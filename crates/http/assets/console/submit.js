// A new request (the partner's main action; ops may file one too).

import { gql } from "./api.js";
import { h, fill } from "./dom.js";
import { actionForm } from "./forms.js";

const OPTIONAL = ["requestedArea", "companyName", "vatNumber", "address", "website", "areaCode",
  "city", "region", "comment", "callbackUrl"];

/** Renders the submit form; on success opens the new request. */
export function renderSubmit(main) {
  const form = actionForm({
    id: "submit", submit: "Submit request",
    inputs: [
      { name: "organizationId", label: "Organisation id", type: "number", required: true, min: 1 },
      { name: "country", label: "Country (ISO 3166-1 alpha-2)", required: true, placeholder: "NL" },
      { name: "numberType", label: "Number type", required: true, value: "local",
        help: "local, mobile, national, toll_free or shared_cost" },
      { name: "quantity", label: "Quantity", type: "number", value: "1", min: 1, max: 1000 },
      { name: "useCase", label: "Use case", required: true },
      { name: "contactName", label: "Contact name", required: true },
      { name: "contactEmail", label: "Contact e-mail", required: true },
      { name: "companyName", label: "Company" },
      { name: "requestedArea", label: "Requested area" },
      { name: "areaCode", label: "Area code" },
      { name: "city", label: "City" },
      { name: "region", label: "Region" },
      { name: "vatNumber", label: "VAT number" },
      { name: "address", label: "Address" },
      { name: "website", label: "Website" },
      { name: "callbackUrl", label: "Callback URL" },
      { name: "comment", label: "Comment", rows: 2 },
    ],
    run: (v) => {
      const input = {
        organizationId: Number(v.organizationId) || 0,
        country: v.country.trim(),
        numberType: v.numberType.trim(),
        useCase: v.useCase,
        contactName: v.contactName,
        contactEmail: v.contactEmail.trim(),
        quantity: v.quantity === "" ? null : Number(v.quantity),
      };
      for (const name of OPTIONAL) if (v[name].trim() !== "") input[name] = v[name].trim();
      return gql(`mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id } }`,
        { input });
    },
    done: (data) => { location.hash = `#/requests/${data.submitNumberRequest.id}`; },
  });
  fill(main, h("h1", {}, "New request"), h("div", { class: "card wide" }, form));
}
