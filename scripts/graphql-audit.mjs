// GraphQL-over-HTTP conformance: runs graphql-http's server audit against a
// running numberdesk (URL in argv[2]) and fails if any MUST fails. SHOULD/MAY
// results are printed; the README lists the ones that fail and why.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node scripts/graphql-audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
// Every audit request carries the API key (NUMBERDESK_KEY), as a signed-in
// client's would: introspection answers signed-in callers only.
const key = process.env.NUMBERDESK_KEY;
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  return fetch(input, { ...init, headers });
};
const results = await auditServer({ url, fetchFn });
let mustFailures = 0;
for (const result of results) {
  const must = result.name.startsWith('MUST');
  if (result.status === 'ok') {
    console.log(`ok    ${result.name}`);
  } else {
    if (must) mustFailures += 1;
    console.log(`${must ? 'FAIL ' : 'warn '} ${result.name}: ${result.reason}`);
  }
}
const ok = results.filter((r) => r.status === 'ok').length;
console.log(`\n${ok} passed, ${results.length - ok} not passed (${mustFailures} MUST failures)`);
process.exit(mustFailures === 0 ? 0 : 1);
