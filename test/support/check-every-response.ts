import { afterEach } from 'vitest';
import { isCheckedOrigin, UNCHECKED_HEADER } from './spec-checked.ts';

/**
 * A vitest setup file: every response a test receives through fetch from a resetd it started
 * (test/support/resetd.ts, test/support/processes.ts) is checked against
 * generated/openapi.yaml (test/support/contract.ts). A status, content type, body or header
 * the spec does not document for that operation, or a path no operation has, throws from fetch
 * with the request and the status, and fails the test that received it even if the test
 * catches the error. A request opts out with the header `x-test-unchecked: <why>`
 * (uncheckedFetch), which is removed before it is sent.
 */
const WRAPPED = Symbol.for('resetd.test.checkEveryResponse');
const violations: string[] = [];

type Fetch = typeof globalThis.fetch;

function headersOf(input: RequestInfo | URL, init: RequestInit | undefined): Headers {
  return new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
}

function wrap(realFetch: Fetch): Fetch {
  let checker: Promise<typeof import('./contract.ts')> | undefined;
  const checked: Fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!isCheckedOrigin(url.origin)) return realFetch(input, init);
    const headers = headersOf(input, init);
    const why = headers.get(UNCHECKED_HEADER);
    if (why !== null) {
      if (!why.trim()) throw new Error(`${UNCHECKED_HEADER} needs a reason: ${url.pathname}`);
      headers.delete(UNCHECKED_HEADER);
      return input instanceof Request && !init ? realFetch(new Request(input, { headers })) : realFetch(input, { ...init, headers });
    }
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const response = await realFetch(input, init);
    const answered = response.redirected ? new URL(response.url) : url;
    checker ??= import('./contract.ts');
    const { checkResponse } = await checker;
    const text = await response.clone().text();
    try {
      checkResponse(method, answered.pathname, response.status, response.headers, text);
    } catch (error) {
      const violation = `${method} ${answered.pathname}${answered.search} answered ${response.status}, outside generated/openapi.yaml: ${(error as Error).message}`;
      violations.push(violation);
      throw new Error(violation);
    }
    return response;
  };
  return Object.assign(checked, { [WRAPPED]: true });
}

if (!(WRAPPED in globalThis.fetch)) globalThis.fetch = wrap(globalThis.fetch);

afterEach((context) => {
  const missed = violations.splice(0);
  // A test that failed has already reported what it received; one that caught the error fails here.
  if (missed.length > 0 && context.task.result?.state !== 'fail') {
    throw new Error(`responses outside the spec reached this test:\n${missed.join('\n')}`);
  }
});
