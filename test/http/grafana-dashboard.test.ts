import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../support/admin.ts';
import type { Scrape } from '../support/prometheus.ts';
import { parseScrape } from '../support/prometheus.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { requestMail } from '../support/tokens.ts';
import { until } from '../support/waiting.ts';

/**
 * deploy/grafana/resetd-dashboard.json queries only what resetd exports: every metric name in
 * its PromQL is in a real scrape, and every label it selects or groups by is on that metric.
 */
const DASHBOARD = new URL('../../deploy/grafana/resetd-dashboard.json', import.meta.url);
const TOKEN = 'dashboard-test-token-01';
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
type Panel = { id: number; type: string; title: string; datasource?: { uid: string }; targets?: { expr: string; datasource?: { uid: string } }[] };
const panels = (dashboard.panels as Panel[]).filter((panel) => panel.type !== 'row');
const exprs = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
// Labels Prometheus adds to every series it scrapes, and the histogram's own.
const ADDED_LABELS = new Set(['instance', 'job', 'le']);
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax, not a template
const DATASOURCE_VARIABLE = '${datasource}';

let resetd: TestResetd;
let scrape: Scrape;

beforeAll(async () => {
  resetd = await startTestResetd({ METRICS_TOKEN: TOKEN });
  // Traffic, a delivered mail and a directory call, so labelled series exist.
  await addUser(resetd, 'known@example.com');
  await requestMail(resetd, 'known@example.com');
  // The mail is in the mailbox a moment before the worker records its delivery.
  await until(async () => {
    const response = await fetch(`${resetd.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    scrape = parseScrape(await response.text());
    return scrape.samples.some((sample) => sample.name === 'resetd_outbox_delivery_duration_seconds_count');
  });
});

afterAll(() => resetd?.dispose());

/** The family a sample name belongs to: histograms' _bucket, _sum and _count are one. */
const family = (name: string) => (scrape.types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, ''));
const metricNames = (expr: string) => [...new Set(expr.match(/\b(?:resetd|process|nodejs)_[a-z0-9_]+/g) ?? [])];
const labelsOf = (name: string) => new Set(scrape.samples.filter((s) => family(s.name) === family(name)).flatMap((s) => Object.keys(s.labels)));

describe('the Grafana dashboard', () => {
  it('is a dashboard Grafana imports: schema version, a Prometheus data source variable every query uses', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    expect(new Set(dashboard.panels.map((panel: Panel) => panel.id)).size).toBe(dashboard.panels.length);
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe(DATASOURCE_VARIABLE);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, panel.title).toBe(DATASOURCE_VARIABLE);
    }
  });

  it('queries only metric names a real resetd exports', () => {
    const missing = exprs.flatMap(({ panel, expr }) => metricNames(expr).filter((name) => !scrape.types.has(family(name))).map((name) => `${panel}: ${name}`));
    expect(missing).toEqual([]);
    // Every family the dashboard needs is there: the panels together cover resetd's own metrics.
    const shown = new Set(exprs.flatMap(({ expr }) => metricNames(expr).map(family)));
    const resetdFamilies = [...scrape.types.keys()].filter((name) => name.startsWith('resetd_'));
    expect(resetdFamilies.filter((name) => !shown.has(name))).toEqual([]);
  });

  it('selects and groups by labels those metrics have', () => {
    const wrong: string[] = [];
    for (const { panel, expr } of exprs) {
      const names = metricNames(expr);
      const known = new Set(names.flatMap((name) => [...labelsOf(name)]));
      for (const [, name, selector] of expr.matchAll(/\b((?:resetd|process|nodejs)_[a-z0-9_]+)\{([^}]*)\}/g)) {
        for (const [, label] of selector!.matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)) {
          if (!ADDED_LABELS.has(label!) && !labelsOf(name!).has(label!)) wrong.push(`${panel}: ${name} has no label ${label}`);
        }
      }
      for (const [, grouped] of expr.matchAll(/\bby \(([^)]*)\)/g)) {
        for (const label of grouped!.split(',').map((l) => l.trim())) {
          if (!ADDED_LABELS.has(label) && !known.has(label)) wrong.push(`${panel}: grouped by ${label}, which ${names.join(', ')} lack`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
