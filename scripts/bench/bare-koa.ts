/**
 * The baseline resetd is measured against (DESIGN.md, "Speed"): bare koa with
 * koa-bodyparser answering a JSON POST with `{}`, in a process of its own. Prints its port.
 */
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';

const app = new Koa();
app.use(bodyParser());
app.use((ctx) => {
  ctx.body = {};
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(typeof address === 'object' && address ? address.port : 0);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
