// A real unleash-server for resetd's unleash directory tests, on loopback only.
//
//   node start.mjs --database NAME [--port N] [--postgres postgres://postgres@127.0.0.1:5432]
//                  [--exit-on-stdin-end]
//
// The database must exist (test/support/unleash-server.ts creates and drops it); Unleash
// migrates it on start. Port 0 (the default) takes a free port. Once Unleash listens, one
// JSON line goes to stdout: {"event":"unleash.started","port":N}. The admin is
// admin / unleash4all. SIGTERM or SIGINT stops it; so does the end of stdin with
// --exit-on-stdin-end, so a test runner that dies takes its Unleash with it.
import { parseArgs } from 'node:util';
import * as unleash from 'unleash-server';

const { values } = parseArgs({
  options: {
    database: { type: 'string' },
    port: { type: 'string', default: '0' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
    'exit-on-stdin-end': { type: 'boolean', default: false },
  },
});
if (!values.database || !/^[a-z0-9_]+$/.test(values.database)) {
  console.error('start.mjs: --database NAME (lower case letters, digits, _) is required');
  process.exit(2);
}
const postgres = new URL(values.postgres);

// Nothing leaves the machine: Unleash reads these from the environment whatever the options
// say (`telemetry: false` falls back to SEND_TELEMETRY).
process.env.CHECK_VERSION = 'false';
process.env.SEND_TELEMETRY = 'false';

const instance = await unleash.start({
  // Given here, so a DATABASE_URL in the environment (resetd's own setting) is never read.
  databaseUrl: new URL(`/${values.database}`, postgres).href,
  // Unleash's default SSL options make pg ask for TLS, which a loopback PostgreSQL need not offer.
  db: { ssl: false },
  server: {
    host: '127.0.0.1',
    port: Number(values.port),
    unleashUrl: `http://127.0.0.1:${values.port}`,
    gracefulShutdownEnable: false,
  },
  authentication: {
    type: 'open-source',
    createAdminUser: true,
    initialAdminUser: { username: 'admin', password: 'unleash4all' },
  },
  versionCheck: { enable: false },
  telemetry: false,
  // Tests log in and create users far more often than a person does.
  rateLimiting: { simpleLoginMaxPerMinute: 10_000, createUserMaxPerMinute: 10_000 },
  logLevel: process.env.LOG_LEVEL ?? 'warn',
});

console.log(JSON.stringify({ event: 'unleash.started', port: instance.server.address().port }));

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await instance.stop();
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (values['exit-on-stdin-end']) process.stdin.on('end', stop).resume();
