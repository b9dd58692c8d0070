// The console's only way to the server: the public GraphQL API, over HTTP
// (POST /graphql) and, for subscriptions, graphql-ws on /graphql/ws.
// The API key lives in sessionStorage (this tab only) and is sent in the
// Authorization header or the socket's connection_init, never in a URL.

const KEY = "numberdesk.apiKey";
const ROLE = "numberdesk.role";

/** A failed call: the message, the API's code and its field errors. */
export class ApiError extends Error {
  constructor(message, code, fields) {
    super(message);
    this.code = code || "ERROR";
    this.fields = fields || {};
  }
}

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  get role() { return sessionStorage.getItem(ROLE); },
  get isOps() { return sessionStorage.getItem(ROLE) === "ops"; },
  set(key, role) { sessionStorage.setItem(KEY, key); sessionStorage.setItem(ROLE, role); },
  clear() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ROLE);
    closeSocket();
  },
};

/** Called with an ApiError when the key stops working (revoked, signed out). */
let onUnauthenticated = () => {};
export function whenUnauthenticated(callback) { onUnauthenticated = callback; }

/** Runs a query or mutation; resolves to `data`, rejects with an ApiError. */
export async function gql(query, variables = {}, key = session.key) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError(`the server cannot be reached (${error.message})`, "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`the server answered ${response.status} without JSON`, "HTTP_" + response.status);
  }
  const first = body.errors && body.errors[0];
  if (first) {
    const ext = first.extensions || {};
    const error = new ApiError(first.message, ext.code, ext.fields);
    error.data = body.data;
    if (ext.code === "UNAUTHENTICATED" && key === session.key) onUnauthenticated(error);
    throw error;
  }
  return body.data;
}

const ROLE_PROBE = `{ stats { total } jobs(requestId: "00000000-0000-0000-0000-000000000000") { id } }`;

/** Checks a key and learns its role: ops keys may list fulfilment jobs. */
export async function signIn(key) {
  try {
    await gql(ROLE_PROBE, {}, key);
    session.set(key, "ops");
  } catch (error) {
    // The key is good when `stats` answered; only `jobs` may have failed:
    // FORBIDDEN for a partner key, anything else (no such request) for ops.
    if (!error.data || !error.data.stats) throw error;
    session.set(key, error.code === "FORBIDDEN" ? "partner" : "ops");
  }
  return session.role;
}

let socket = null;

function closeSocket() {
  if (socket) socket.dispose();
  socket = null;
}

/** Subscribes; returns a function that stops it. */
export function subscribe(query, variables, onData, onError = () => {}) {
  if (!socket) {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql/ws`;
    socket = window.graphqlWs.createClient({
      url,
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      connectionParams: () => ({ Authorization: `Bearer ${session.key}` }),
      on: { connected: () => setLive(true), closed: () => setLive(false) },
    });
  }
  return socket.subscribe({ query, variables }, {
    next: (message) => (message.errors ? onError(message.errors[0]) : onData(message.data)),
    error: (error) => onError(error),
    complete: () => {},
  });
}

/** Shows whether live updates are flowing (the header's indicator). */
function setLive(live) {
  const el = document.getElementById("live");
  if (!el) return;
  el.textContent = live ? "live" : "offline";
  el.className = live ? "live on" : "live";
}

/**
 * The kind of the operation a document would run (query, mutation or
 * subscription), named or not: strings and comments are blanked, then the
 * top-level definitions are read. Used by GraphiQL's fetcher.
 */
export function operationKind(source, operationName) {
  const text = source.replace(/"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n\r]*/g, " ");
  const operations = [];
  const tokens = /[{}()]|@?[_A-Za-z][_0-9A-Za-z]*/g;
  let depth = 0;
  let parens = 0;
  let current = null;
  for (let match = tokens.exec(text); match; match = tokens.exec(text)) {
    const token = match[0];
    if (token === "(") parens += 1;
    else if (token === ")") parens -= 1;
    else if (token === "}") depth -= 1;
    else if (token === "{") {
      if (depth === 0 && parens === 0) {
        const op = current || { kind: "query", name: null };
        if (op.kind !== "fragment") operations.push(op);
        current = null;
      }
      depth += 1;
    } else if (depth === 0 && parens === 0 && !token.startsWith("@")) {
      if (["query", "mutation", "subscription", "fragment"].includes(token) && !current) {
        current = { kind: token, name: null };
      } else if (current && current.name === null) {
        current.name = token;
      }
    }
  }
  const chosen = operationName
    ? operations.find((op) => op.name === operationName)
    : operations[0];
  return chosen ? chosen.kind : "query";
}
