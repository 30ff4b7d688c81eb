/**
 * The floor under resetd's request path: bare koa with koa-bodyparser, as in
 * bare-koa.ts, that also commits each request's outbox row through resetd's own store (the
 * same insert, grouped per turn of the event loop, and on SQLite the same checkpoint
 * thread as resetd serve) before it answers `{}`. Nothing else: no routing, validation,
 * API keys or logs. What it loses against bare koa is what a durable accepted request
 * costs on this machine. Prints {"event":"koa.started","port":N} once it listens.
 *
 *   DATABASE_URL=sqlite:/tmp/floor.db node --import tsx scripts/bench/koa-outbox-floor.ts
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { newId } from '../../src/core/secrets.ts';
import { openStore } from '../../src/store/open-store.ts';

const store = await openStore(process.env.DATABASE_URL!, 10, { checkpointer: { onFailure: (error) => console.error(error) } });
const app = new Koa();
app.use(bodyParser());
app.use(async (ctx) => {
  const { email } = ctx.request.body as { email: string };
  await store.addResetRequest({ id: newId('rr'), kind: 'reset', origin: 'rocketchat', identifier: email, clientIp: ctx.ip, createdAt: new Date(), payload: null });
  ctx.body = {};
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ event: 'koa.started', port: (server.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => server.close(async () => {
  await store.close();
  process.exit(0);
}));
