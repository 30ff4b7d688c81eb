// Fails when a package resetd needs at run time says it does not run on a Node version that
// resetd's own `engines.node` promises, or on the Node running this. A dependency that
// wants a newer Node may work today and break on its next patch release without a word:
// the promise in package.json (and the README) must hold for everything below it.
// Dev dependencies (tools, tests) are not checked: they never run in production.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

const root = new URL('..', import.meta.url);
const own = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const promised = own.engines?.node;
if (!promised) {
  console.error('check-engines: package.json has no engines.node');
  process.exit(1);
}

// What is installed for run time: npm's own view of the tree, without dev dependencies. npm
// exits 1 when the tree does not match package.json, yet lists what is there.
let listing;
try {
  listing = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
} catch (error) {
  listing = error.stdout ?? '';
}
const paths = [...new Set(listing.trim().split('\n').slice(1).filter(Boolean))];
if (paths.length === 0) {
  console.error('check-engines: npm ls listed no installed runtime dependencies (run npm ci)');
  process.exit(1);
}

/**
 * Whether every version `inner` allows, `outer` allows too. (semver.subset compares each of
 * `outer`'s alternatives alone, so `>=20.19` is not within `^20 || >=21` for it.) Both ranges
 * are unions of intervals whose ends are the versions they name: where the answer changes,
 * it changes at one of those ends, so checking each end and either side of it is enough.
 */
function within(inner, outer) {
  const ends = [inner, outer].flatMap((range) => new semver.Range(range).set.flat().map((c) => c.semver)).filter((v) => v.version);
  const around = (v) => {
    const below = v.patch > 0 ? [v.major, v.minor, v.patch - 1] : v.minor > 0 ? [v.major, v.minor - 1, 1e6] : [v.major - 1, 1e6, 1e6];
    return [v.version, `${v.major}.${v.minor}.${v.patch + 1}`, ...(below[0] >= 0 ? [below.join('.')] : [])];
  };
  const samples = ['0.0.0', '1000.0.0', ...ends.flatMap(around)];
  return samples.every((version) => !semver.satisfies(version, inner) || semver.satisfies(version, outer));
}

const problems = [];
if (!semver.satisfies(process.version, promised)) problems.push(`this Node (${process.version}) is outside resetd's own engines.node ${promised}`);
for (const path of paths) {
  const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
  const wanted = pkg.engines?.node;
  if (!wanted) continue;
  const where = `${pkg.name}@${pkg.version} (${path.slice(path.indexOf('node_modules'))})`;
  if (!semver.validRange(wanted)) {
    problems.push(`${where}: engines.node "${wanted}" is not a version range`);
    continue;
  }
  if (!within(promised, wanted)) problems.push(`${where} wants node ${wanted}, resetd promises ${promised}`);
  else if (!semver.satisfies(process.version, wanted)) problems.push(`${where} wants node ${wanted}, this is ${process.version}`);
}

if (problems.length > 0) {
  console.error(`check-engines: ${problems.length} runtime ${problems.length === 1 ? 'dependency does' : 'dependencies do'} not fit:`);
  for (const problem of problems) console.error(`  - ${problem}`);
  console.error('Pin a version that fits (package.json "overrides"), or change engines.node and the README together.');
  process.exit(1);
}
console.log(`check-engines: ${paths.length} runtime packages fit node ${promised} and this ${process.version}`);
