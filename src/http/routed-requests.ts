import type { OpenAPIBackend, Operation } from 'openapi-backend';
import { parseRoutedRequest } from './parse-routed.ts';

type Parsed = ReturnType<OpenAPIBackend['router']['parseRequest']>;

/** The operation resetd routed a request to: an own property, so openapi-backend's copy of the request (its coerced values) keeps it. */
const ROUTED = Symbol('resetd routed operation');
/**
 * The request's parse, once made. Enumerable, so openapi-backend's coerced copy of the
 * request carries it too: validation coerces the parse's own query in place and hands that
 * same object to the copy, which then needs no parse of its own where parse-routed.ts
 * parses (no path parameters to read again from the path).
 */
const PARSED = Symbol('resetd parsed request');

type Carrying = { [ROUTED]?: Operation; [PARSED]?: { of: object; parse: Parsed } };

/**
 * openapi-backend routes each request again and parses it three times (before routing,
 * after it, and to validate), and a parse builds the path template's matcher anew. resetd
 * has routed the request already: the router answers from that, and each request is parsed
 * once, for its operation (parse-routed.ts where it can).
 *
 * What resetd knows travels on the request object itself, not in WeakMaps keyed by it: V8's
 * young-generation collections keep a WeakMap's entries, so each request's parse outlived
 * its request until the next full collection and was promoted to the old generation on the
 * way (measured with the handler waiting one turn of the event loop, as a commit does: 1.14
 * MB promoted at each scavenge with the WeakMaps, 0.59 MB without).
 *
 * Returns what marks a request as routed, before it is handed to openapi-backend.
 */
export function routeOnce(api: OpenAPIBackend, operations: readonly Operation[]): (request: object, operation: Operation) => void {
  const routerMatch = api.router.matchOperation.bind(api.router);
  const routerParse = api.router.parseRequest.bind(api.router);
  const fastParse = new Map(operations.map((op) => [op, parseRoutedRequest(op)] as const).filter((entry) => entry[1] !== null));
  api.router.matchOperation = ((request: Carrying, strict?: boolean) =>
    request[ROUTED] ?? routerMatch(request as never, strict as true)) as unknown as typeof api.router.matchOperation;
  api.router.parseRequest = (request, operation) => {
    const carrying = request as Carrying;
    const known = carrying[ROUTED];
    if (!known || (operation && operation !== known)) return routerParse(request, operation);
    const kept = carrying[PARSED];
    const fast = fastParse.get(known);
    if (kept && (kept.of === request || (fast && kept.parse.query === (request as Parsed).query))) return kept.parse;
    const parse = fast?.(request as never) ?? routerParse(request, known);
    carrying[PARSED] = { of: request, parse };
    return parse;
  };
  return (request, operation) => {
    (request as Carrying)[ROUTED] = operation;
  };
}
