/**
 * The baseline of DESIGN.md's speed targets: bare koa with koa-bodyparser, answering every
 * request with `{}` after parsing its JSON body. Run in a process of its own, like the servers
 * it is compared with; prints {"event":"koa.started","port":N} once it listens.
 *
 *   node --import tsx scripts/bench/bare-koa.ts
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';

const app = new Koa();
app.use(bodyParser());
app.use((ctx) => {
  ctx.body = {};
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ event: 'koa.started', port: (server.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
