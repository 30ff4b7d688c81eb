import type { Context } from 'openapi-backend';
import type { components } from '../../generated/api.ts';
import type { Directory } from '../core/directory.ts';
import type { Store } from '../core/store.ts';
import { checkReadiness } from '../health/readiness.ts';
import type { Logger } from '../log/logger.ts';
import { problem } from './problem.ts';
import type { AnyReply } from './reply.ts';
import type { ResetdContext } from './request-state.ts';

/** The Prometheus text of this instance (src/metrics). */
export interface MetricsText {
  contentType: string;
  text(): Promise<string>;
}

export interface OperationsDeps {
  store: Pick<Store, 'ping'>;
  directory: Pick<Directory, 'name' | 'ping'>;
  metrics: MetricsText;
  log: Logger;
}

type Handler = (context: Context, ctx: ResetdContext) => Promise<AnyReply> | AnyReply;

const notJson = () => problem(406, 'This endpoint answers application/json.');

/**
 * Liveness, readiness and metrics. HEAD runs the GET handler (send() drops the body). Only
 * /metrics has a credential: the bearer METRICS_TOKEN, checked by its security handler
 * before this is reached, and off (404) without it (enabledStep).
 */
export function operationsHandlers(deps: OperationsDeps): Record<'getHealth' | 'getHealthHead' | 'getReady' | 'getReadyHead' | 'getMetrics' | 'getMetricsHead', Handler> {
  // Liveness asks nothing of the store or the directory: a restart cannot fix them.
  const health: Handler = (_context, ctx) => {
    if (!ctx.accepts('application/json')) return notJson();
    return { status: 200, body: { status: 'ok' } satisfies components['schemas']['Health'] };
  };

  // Probes come every few seconds: the log says when readiness changes, not at every probe.
  let wasReady = true;
  const ready: Handler = async (_context, ctx) => {
    if (!ctx.accepts('application/json')) return notJson();
    const readiness = await checkReadiness(deps);
    if (readiness.ready !== wasReady) {
      wasReady = readiness.ready;
      if (readiness.ready) deps.log.info('readiness.ready', { checks: readiness.checks });
      else deps.log.warn('readiness.unavailable', { checks: readiness.checks, directory: deps.directory.name, errors: readiness.errors });
    }
    const body = { status: readiness.ready ? 'ready' : 'unavailable', checks: readiness.checks } satisfies components['schemas']['Readiness'];
    return { status: readiness.ready ? 200 : 503, body };
  };

  const metrics: Handler = async () => ({ status: 200, bytes: Buffer.from(await deps.metrics.text()), contentType: deps.metrics.contentType });

  return {
    getHealth: health,
    getHealthHead: health,
    getReady: ready,
    getReadyHead: ready,
    getMetrics: metrics,
    getMetricsHead: metrics,
  };
}
