// Compiles src/ into dist/ (tsc, plain JavaScript for plain `node`) and copies what the code
// reads at run time (the merged spec, also as JSON, and the docs page) beside it, so dist/
// runs on its own.
//
//   node scripts/build.mjs              `npm run build`: type-checked, always
//   node scripts/build.mjs --if-stale   what `npm start` and `resetd` do first: only when dist/
//                                       is missing or older than its sources, without the type
//                                       check (as tsx ran the sources before; `npm test` checks)
//
// Several processes may start at once (the test suite does): one builds under a lock, the
// others wait for it, and dist/ is swapped in whole, so nobody loads a half-written build.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
const LOCK = join(ROOT, '.dist-lock');
/** What the build is made from: a change to any of these makes dist/ stale. */
const SOURCES = ['src', 'generated', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'];
/** Read at run time through paths relative to the compiled file (src/http/spec.ts). */
const ASSETS = ['generated/openapi.yaml', 'generated/docs.html'];

/** The newest modification time among the sources, in ms. */
export function newestSource(root = ROOT) {
  let newest = 0;
  for (const source of SOURCES) {
    const path = join(root, source);
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    newest = Math.max(newest, stat.mtimeMs);
    if (!stat.isDirectory()) continue;
    for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
      newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** Why dist/ must be built, or null when it is up to date. */
export function staleness(root = ROOT) {
  const stamp = join(root, 'dist', '.build-stamp');
  if (!existsSync(stamp)) return 'dist/ is missing';
  return newestSource(root) > statSync(stamp).mtimeMs ? 'the sources changed since the last build' : null;
}

function tscPath() {
  const path = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  return existsSync(path) ? path : null;
}

/** Builds into a fresh folder and swaps it in. `check: false` skips the type check (faster). */
export function build({ check = true } = {}) {
  const tsc = tscPath();
  if (tsc === null) {
    throw new Error(
      'resetd: cannot build dist/: TypeScript is not installed (a production install, npm ci --omit=dev).\n' +
        'Build where the dev dependencies are (npm ci && npm run build) and deploy dist/ with it.',
    );
  }
  // The stamp takes the time the build started: a source saved during the build is newer.
  const started = new Date();
  const out = join(ROOT, `dist.building-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  const args = [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out, ...(check ? [] : ['--noCheck'])];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: ROOT });
  if (result.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`resetd: tsc failed (exit ${result.status ?? result.signal})`);
  }
  for (const asset of ASSETS) cpSync(join(ROOT, asset), join(out, asset));
  // Read at start instead of the YAML when present (src/http/spec.ts): parsed in a millisecond.
  // Required here, not imported above: every start loads this file, few of them build.
  const { parse } = createRequire(import.meta.url)('yaml');
  const spec = parse(readFileSync(join(ROOT, 'generated/openapi.yaml'), 'utf8'));
  writeFileSync(join(out, 'generated/openapi.json'), JSON.stringify(spec));
  writeFileSync(join(out, '.build-stamp'), `${started.toISOString()}\n`);
  utimesSync(join(out, '.build-stamp'), started, started);
  const old = join(ROOT, `dist.old-${process.pid}`);
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(out, DIST);
  rmSync(old, { recursive: true, force: true });
}

/** Builds when dist/ is stale; with several processes at once, one builds and the others wait. */
export async function buildIfStale() {
  if (staleness() === null) return;
  await withLock(() => {
    const reason = staleness();
    if (reason === null) return; // another process built it meanwhile
    if (tscPath() !== null) console.error(`resetd: building dist/ (${reason})`);
    else if (existsSync(STAMP)) {
      console.error(`resetd: ${reason}, but TypeScript is not installed to rebuild it; running the build that is there`);
      return;
    }
    build({ check: false }); // without TypeScript and without dist/: says what to do
  });
}

async function withLock(work) {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A builder that died leaves its lock behind: taken over once its process is gone.
      if (abandoned()) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    writeFileSync(join(LOCK, 'pid'), String(process.pid));
    work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** The lock's builder is gone (or never wrote its pid, seconds ago). */
function abandoned() {
  let pid;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    try {
      return Date.now() - statSync(LOCK).mtimeMs > 5_000;
    } catch {
      return false; // removed meanwhile: try again
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code !== 'EPERM';
  }
}
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    if (process.argv.includes('--if-stale')) await buildIfStale();
    else await withLock(() => build({ check: true }));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
