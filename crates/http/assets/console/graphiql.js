// GraphiQL with a fetcher of our own: queries and mutations are POSTed to
// /graphql; subscriptions, named or not, go over graphql-ws on /graphql/ws
// with the headers' Authorization sent in connection_init. The key typed in
// the headers editor is not persisted (shouldPersistHeaders: false).
// Introspection answers callers with a key only, so the schema (docs,
// completion) is fetched again whenever the headers' Authorization changes:
// GraphiQL re-introspects when it is given a new fetcher.

import { operationKind } from "./api.js";

const sockets = new Map();

function socketFor(authorization) {
  const key = authorization || "";
  if (!sockets.has(key)) {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql/ws`;
    sockets.set(key, window.graphqlWs.createClient({
      url,
      lazy: true,
      connectionParams: authorization ? { Authorization: authorization } : {},
    }));
  }
  return sockets.get(key);
}

function authorizationOf(headers) {
  for (const [name, value] of Object.entries(headers || {})) {
    if (name.toLowerCase() === "authorization") return String(value);
  }
  return null;
}

async function* subscription(params, headers) {
  const client = socketFor(authorizationOf(headers));
  const iterator = client.iterate({
    query: params.query,
    variables: params.variables || undefined,
    operationName: params.operationName || undefined,
  });
  try {
    for await (const result of iterator) yield result;
  } catch (error) {
    // A refused connection (e.g. no key) arrives as a CloseEvent.
    const reason = error && (error.reason || error.message);
    yield { errors: [{ message: reason || "the subscription socket closed" }] };
  }
}

function fetcher(params, options) {
  const headers = (options && options.headers) || {};
  if (operationKind(params.query || "", params.operationName) === "subscription") {
    return subscription(params, headers);
  }
  return fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(params),
  }).then((response) => response.json());
}

function authorizationInText(text) {
  try {
    return authorizationOf(JSON.parse(text || "{}"));
  } catch {
    return null; // not JSON (yet): keep the schema we have
  }
}

const root = ReactDOM.createRoot(document.getElementById("graphiql"));
let shownFor = null;
let pending = null;

function onEditHeaders(text) {
  const authorization = authorizationInText(text);
  if (authorization === null || authorization === shownFor) return;
  clearTimeout(pending);
  pending = setTimeout(() => render(authorization), 300);
}

function render(authorization) {
  shownFor = authorization;
  root.render(React.createElement(GraphiQL, {
    fetcher: (params, options) => fetcher(params, options),
    onEditHeaders,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: "headers",
    defaultHeaders: '{\n  "Authorization": "Bearer <your API key>"\n}',
    defaultQuery: "# Put your key in the Headers tab below, then run:\n{\n  stats { total byStatus { status count } }\n}\n",
  }));
}

render(null);
