// Browser scenarios for the ops console and GraphiQL, run by
// tests/console_browser.rs (which starts the server and passes its address
// and keys in the environment). Every wait is for a condition, never a
// fixed sleep. Exits non-zero when any scenario fails.

import { createRequire } from "node:module";
import assert from "node:assert/strict";
import path from "node:path";

const env = process.env;
const require = createRequire(path.join(env.ASSETS, "package.json"));
const { chromium } = require("playwright-core");

const BASE = env.BASE;
const HOST = new URL(BASE).host;
const ORG = Number(env.ORG);
const OTHER_ORG = Number(env.OTHER_ORG);
const foreign = [];
const cspViolations = [];
const pageErrors = [];
const subscriptionPosts = [];

async function gql(key, query, variables = {}) {
  const response = await fetch(`${BASE}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function submit(key, organizationId, extra = {}) {
  const data = await gql(key, `mutation($input: SubmitNumberRequestInput!) { submitNumberRequest(input: $input) { id } }`, {
    input: {
      organizationId, country: "NL", numberType: "local", useCase: "Support line",
      contactName: "Jane Doe", contactEmail: "jane@acme.example", companyName: "Acme BV", quantity: 2, ...extra,
    },
  });
  return data.submitNumberRequest.id;
}

const context = await chromium.launchPersistentContext(env.USER_DATA_DIR, {
  executablePath: env.CHROMIUM,
  headless: true,
  args: env.CHROMIUM_FLAGS.split(" "),
  viewport: { width: 1280, height: 800 },
});
context.setDefaultTimeout(15000);
context.on("request", (request) => {
  const url = new URL(request.url());
  if (!["data:", "blob:"].includes(url.protocol) && url.host !== HOST) foreign.push(request.url());
  if (request.method() === "POST" && (request.postData() || "").includes("numberRequestEvents")) {
    subscriptionPosts.push(request.postData());
  }
});

/** A new tab (its own sessionStorage), watched for foreign hosts and CSP errors. */
async function tab() {
  const page = await context.newPage();
  page.on("websocket", (ws) => {
    if (new URL(ws.url()).host !== HOST) foreign.push(ws.url());
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  return page;
}

async function signIn(page, key) {
  await page.goto(`${BASE}/`);
  await page.fill("#api-key", key);
  await page.click("form.sign-in button[type=submit]");
  await page.waitForSelector("#queue table, #queue .empty");
}

async function statusIs(page, text) {
  await page.waitForFunction((want) => {
    const h1 = document.querySelector("main h1 .badge");
    return h1 && h1.textContent === want;
  }, text);
}

const results = [];
async function scenario(name, body) {
  try {
    await body();
    results.push(["ok", name]);
    console.log(`ok - ${name}`);
  } catch (error) {
    results.push(["not ok", name]);
    console.log(`not ok - ${name}\n${error.stack || error}`);
    if (env.SCREENSHOTS) {
      for (const [i, page] of context.pages().entries()) {
        await page.screenshot({ path: path.join(env.SCREENSHOTS, `failed-${results.length}-${i}.png`) });
      }
    }
  }
}

const ops = await tab();
let liveId = null;

await scenario("a wrong key is refused with a message; the right one signs in, kept out of the URL", async () => {
  await ops.goto(`${BASE}/`);
  await ops.fill("#api-key", "nd_not_a_key");
  await ops.click("form.sign-in button[type=submit]");
  await ops.waitForSelector("#sign-in-error [role=alert]");
  await signIn(ops, env.OPS_KEY);
  assert.equal(await ops.textContent("#role"), "ops key");
  assert.ok(!ops.url().includes(env.OPS_KEY));
  assert.equal(await ops.evaluate(() => sessionStorage.getItem("numberdesk.apiKey")), env.OPS_KEY);
  assert.equal(await ops.evaluate(() => localStorage.length), 0);
});

await scenario("a request submitted by another client appears live in the queue", async () => {
  await ops.waitForSelector("#live.on");
  liveId = await submit(env.PARTNER_KEY, ORG);
  await ops.waitForSelector(`#queue tr[data-id="${liveId}"]`);
  await ops.waitForFunction(() => Number(document.querySelector('.counts [data-status="SUBMITTED"]').textContent) >= 1);
});

await scenario("a whole lifecycle through the buttons: assign, order (busy while it runs), provisioned", async () => {
  await ops.click(`#queue tr[data-id="${liveId}"] a`);
  await statusIs(ops, "submitted");
  await ops.fill("#assign [name=assignee]", "ops@numberdesk.example");
  await ops.fill("#assign [name=notes]", "on it");
  await ops.click("#assign button[type=submit]");
  await statusIs(ops, "assigned");
  // Hold the order call until the busy state has been seen.
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await ops.route("**/graphql", async (route) => {
    if ((route.request().postData() || "").includes("orderNumbers")) await gate;
    await route.continue();
  });
  await ops.click("#order button[type=submit]");
  await ops.waitForFunction(() => {
    const button = document.querySelector("#order button[type=submit]");
    return button && button.disabled && button.textContent === "Working…"
      && document.querySelector("#reject button").disabled;
  });
  release();
  await statusIs(ops, "provisioned");
  await ops.unroute("**/graphql");
  const carrierOrder = await ops.textContent("#carrier-order-id");
  assert.ok(carrierOrder && carrierOrder !== "—", `carrier order id shown: ${carrierOrder}`);
  assert.match(await ops.textContent("#provisioned-numbers"), /^\+31\d+, \+31\d+$/);
  await ops.waitForSelector('#detail tr[data-event="Provisioned"]');
  assert.equal(await ops.locator("#detail .actions form").count(), 1, "only notes are left to edit");
});

await scenario("the time-travel control shows the request as of an earlier event", async () => {
  const submitted = await ops.locator("#as-of option", { hasText: "Submitted" }).getAttribute("value");
  await ops.selectOption("#as-of", submitted);
  await ops.waitForSelector(".as-of");
  assert.equal(await ops.textContent(".as-of .badge"), "submitted");
  assert.equal(await ops.textContent("#state #carrier-order-id"), "—");
  await ops.selectOption("#as-of", "");
  await ops.waitForFunction(() => !document.querySelector(".as-of"));
  assert.notEqual(await ops.textContent("#state #carrier-order-id"), "—");
});

await scenario("the API's field errors are shown beside their field", async () => {
  await ops.goto(`${BASE}/#/new`);
  await ops.waitForSelector("#submit");
  await ops.fill("#submit [name=organizationId]", String(ORG));
  await ops.fill("#submit [name=country]", "NL");
  await ops.fill("#submit [name=useCase]", "Support line");
  await ops.fill("#submit [name=contactName]", "Jane Doe");
  await ops.fill("#submit [name=contactEmail]", "not-an-email");
  await ops.click("#submit button[type=submit]");
  const slot = ops.locator('#submit .field-error[data-field="contactEmail"]');
  await slot.waitFor({ state: "visible" });
  assert.ok((await slot.textContent()).length > 0);
  assert.equal(await ops.getAttribute("#submit [name=contactEmail]", "aria-invalid"), "true");
  assert.equal(await ops.locator("#submit .field-error:not(:empty)").count(), 1);
});

if (env.SCREENSHOTS) {
  await scenario("screenshots for the README (1280×800 and phone width)", async () => {
    for (let i = 0; i < 3; i += 1) await submit(env.PARTNER_KEY, ORG, { quantity: i + 1, city: "Amsterdam" });
    await ops.goto(`${BASE}/#/`);
    await ops.waitForSelector(`#queue tr[data-id="${liveId}"]`);
    await ops.screenshot({ path: path.join(env.SCREENSHOTS, "console.png") });
    await ops.goto(`${BASE}/#/requests/${liveId}`);
    await statusIs(ops, "provisioned");
    await ops.screenshot({ path: path.join(env.SCREENSHOTS, "console-detail.png") });
    await ops.setViewportSize({ width: 390, height: 844 });
    await ops.goto(`${BASE}/#/`);
    await ops.waitForSelector(`#queue tr[data-id="${liveId}"]`);
    await ops.screenshot({ path: path.join(env.SCREENSHOTS, "console-phone.png") });
    await ops.goto(`${BASE}/#/requests/${liveId}`);
    await statusIs(ops, "provisioned");
    await ops.screenshot({ path: path.join(env.SCREENSHOTS, "console-phone-detail.png") });
    await ops.setViewportSize({ width: 1280, height: 800 });
  });
}

await scenario("a partner key sees no other tenant's requests and no ops buttons", async () => {
  const otherId = await submit(env.OTHER_PARTNER_KEY, OTHER_ORG);
  const ownId = await submit(env.PARTNER_KEY, ORG);
  const partner = await tab();
  await signIn(partner, env.PARTNER_KEY);
  assert.equal(await partner.textContent("#role"), "partner key");
  await partner.waitForSelector(`#queue tr[data-id="${ownId}"]`);
  assert.equal(await partner.locator(`#queue tr[data-id="${otherId}"]`).count(), 0);
  const orgs = await partner.locator("#queue tbody tr td:nth-child(3)").allTextContents();
  assert.ok(orgs.length > 0 && orgs.every((org) => org === String(ORG)), `orgs: ${orgs}`);
  await partner.click(`#queue tr[data-id="${ownId}"] a`);
  await statusIs(partner, "submitted");
  await partner.waitForSelector("#cancel");
  for (const form of ["#assign", "#order", "#provision", "#notes", "#reject"]) {
    assert.equal(await partner.locator(form).count(), 0, `${form} offered to a partner`);
  }
  assert.equal(await partner.locator("#jobs-h").count(), 0);
  await partner.goto(`${BASE}/#/requests/${otherId}`);
  await partner.waitForSelector("#detail .empty");
  await partner.close();
});

await scenario("GraphiQL loads its docs with a key, runs a query and an unnamed subscription, offline", async () => {
  const page = await tab();
  await page.goto(`${BASE}/graphql`);
  await page.waitForSelector(".graphiql-query-editor .CodeMirror");
  const setEditor = (selector, text) => page.evaluate(([s, t]) => {
    document.querySelector(s).CodeMirror.setValue(t);
  }, [selector, text]);
  const result = () => page.evaluate(() => document.querySelector(".result-window .CodeMirror").CodeMirror.getValue());
  // The headers editor is open (defaultEditorToolsVisibility: "headers").
  const headers = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror";
  await page.waitForSelector(headers);
  assert.match(await page.evaluate((s) => document.querySelector(s).CodeMirror.getValue(), headers), /Authorization/);
  await setEditor(headers, JSON.stringify({ Authorization: `Bearer ${env.OPS_KEY}` }));
  // With the key, GraphiQL introspects again (its query nests 15 levels) and
  // the docs explorer shows the schema: root types, then Query's fields.
  await page.click('button[aria-label="Show Documentation Explorer"]');
  await page.waitForSelector(".graphiql-doc-explorer-root-type");
  assert.equal(await page.locator(".graphiql-doc-explorer-error").count(), 0, "docs: an error shown");
  await page.click('.graphiql-doc-explorer-content a.graphiql-doc-explorer-type-name:text-is("Query")');
  await page.waitForSelector('a.graphiql-doc-explorer-field-name:text-is("numberRequests")');
  await page.click('button[aria-label="Hide Documentation Explorer"]');
  await setEditor(".graphiql-query-editor .CodeMirror", "{ stats { total } }");
  await page.click(".graphiql-execute-button");
  await page.waitForFunction(() => /"total": \d+/.test(document.querySelector(".result-window .CodeMirror").CodeMirror.getValue()));

  let last = 0;
  for (let after = null, more = true; more;) {
    const page = await gql(env.OPS_KEY, `query($after: String) {
      auditLog(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { position } } }`, { after });
    last = Math.max(last, ...page.auditLog.nodes.map((n) => n.position));
    more = page.auditLog.pageInfo.hasNextPage;
    after = page.auditLog.pageInfo.endCursor;
  }
  await setEditor(".graphiql-query-editor .CodeMirror",
    `# unnamed, and not the first line\nsubscription { numberRequestEvents(afterPosition: ${last}) { eventType requestId } }`);
  await page.click(".graphiql-execute-button");
  const id = await submit(env.PARTNER_KEY, ORG);
  await page.waitForFunction((want) => {
    const text = document.querySelector(".result-window .CodeMirror").CodeMirror.getValue();
    return text.includes(want) && text.includes("Submitted");
  }, id);
  assert.ok((await result()).includes(id));
  assert.deepEqual(subscriptionPosts, [], "no subscription was POSTed");
  await page.close();
});

await scenario("no request left for any host but the server; no CSP violation or page error", async () => {
  assert.deepEqual(foreign, []);
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
});

await context.close();
const failed = results.filter(([outcome]) => outcome !== "ok").length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
