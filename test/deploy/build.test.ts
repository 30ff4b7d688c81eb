import { readdirSync, readFileSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { staleness } from '../../scripts/build.mjs';
import { tempDir } from '../support/temp-dir.ts';

/**
 * The compiled build (dist/, made by the global setup as `npm start` makes it) is plain
 * JavaScript that reads the same spec as the sources, and `npm start` rebuilds it exactly
 * when a source is newer than the last build.
 */
const dir = tempDir('build');
afterAll(() => dir.remove());

const compiled = readdirSync('dist/src', { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.js'));

describe('dist/', () => {
  it('imports only .js files and nothing TypeScript-only', () => {
    expect(compiled.length).toBeGreaterThan(50);
    for (const name of compiled) {
      const code = readFileSync(join('dist/src', name), 'utf8');
      expect(code, name).not.toMatch(/from ['"][^'"]+\.ts['"]|import\(['"][^'"]+\.ts['"]\)/);
      expect(code, name).not.toMatch(/['"]tsx(\/[^'"]*)?['"]/);
    }
  });

  it('carries the merged spec as JSON, equal to generated/openapi.yaml', () => {
    const json = JSON.parse(readFileSync('dist/generated/openapi.json', 'utf8'));
    expect(json).toEqual(parse(readFileSync('generated/openapi.yaml', 'utf8')));
    expect(readFileSync('dist/generated/docs.html', 'utf8')).toBe(readFileSync('generated/docs.html', 'utf8'));
  });
});

describe('staleness', () => {
  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);
  const root = dir.path;
  mkdirSync(join(root, 'src/http'), { recursive: true });
  writeFileSync(join(root, 'src/http/app.ts'), 'export {};\n');

  it('asks for a build when dist/ is missing, when a source is newer than the stamp, and only then', () => {
    expect(staleness(root)).toBe('dist/ is missing');
    mkdirSync(join(root, 'dist'));
    const stamp = join(root, 'dist/.build-stamp');
    writeFileSync(stamp, '');
    at(join(root, 'src/http/app.ts'), 1_000);
    at(join(root, 'src/http'), 1_000);
    at(join(root, 'src'), 1_000);
    at(stamp, 2_000);
    expect(staleness(root)).toBeNull();
    at(join(root, 'src/http/app.ts'), 3_000);
    expect(staleness(root)).toBe('the sources changed since the last build');
  });
});
