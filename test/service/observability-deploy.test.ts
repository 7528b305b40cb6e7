import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scrape } from '../observability/scrape.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

interface Compose {
  services: Record<string, { profiles?: string[]; volumes?: string[]; ports?: string[]; environment?: Record<string, string> }>;
}
interface Rule {
  alert: string;
  expr: string;
  annotations?: Record<string, string>;
}
interface Panel {
  title: string;
  description?: string;
  targets?: { expr: string }[];
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as Compose;
const prometheus = parse(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')) as {
  rule_files: string[];
  scrape_configs: { static_configs: { targets: string[] }[]; metrics_path: string }[];
};
const alerts = (parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);
const dashboard = JSON.parse(readFileSync('deploy/grafana/dashboards/tollgate.json', 'utf8')) as { uid: string; panels: Panel[] };

/** The metric names a PromQL expression reads (ours and prom-client's defaults). */
const metricsIn = (expr: string) => [...expr.matchAll(/\b((?:tollgate|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!);

let registered: Set<string>;
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
  const { text } = await scrape(app.metricsUrl!);
  // Every series name a scrape can hold: a histogram's _bucket, _sum and _count included.
  registered = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    registered.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) registered.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) registered.add(`${name}${suffix}`);
  }
});

describe('deploy/: dashboards, alerts and the observability profile', () => {
  it('alerts on failed sign-ins, the outbox backlog, the breaker, the bus and p99 latency', () => {
    const reads = (metric: string) => alerts.filter((a) => metricsIn(a.expr).some((m) => m.startsWith(metric)));
    expect(reads('tollgate_login_attempts_total').length).toBeGreaterThan(0);
    expect(reads('tollgate_mail_outbox_oldest_seconds').length).toBeGreaterThan(0);
    expect(reads('tollgate_mail_breaker_open').length).toBeGreaterThan(0);
    expect(reads('tollgate_change_bus_connected').length).toBeGreaterThan(0);
    expect(
      alerts.some((a) => /histogram_quantile\(0\.99,/.test(a.expr) && a.expr.includes('tollgate_graphql_request_duration')),
    ).toBe(true);
    for (const a of alerts) expect(a.annotations?.summary, a.alert).toBeTruthy();
  });

  it('read only metrics the registry has, in every alert and every dashboard panel', () => {
    const used = [
      ...alerts.flatMap((a) => metricsIn(a.expr).map((m) => [`alert ${a.alert}`, m] as const)),
      ...dashboard.panels.flatMap((p) =>
        (p.targets ?? []).flatMap((t) => metricsIn(t.expr).map((m) => [`panel ${p.title}`, m] as const)),
      ),
    ];
    expect(used.length).toBeGreaterThan(20);
    const unknown = used.filter(([, metric]) => !registered.has(metric)).map(([where, metric]) => `${where}: ${metric}`);
    expect(unknown).toEqual([]);
  });

  it('give every dashboard panel a query, and the dashboard a stable uid', () => {
    expect(dashboard.uid).toBe('tollgate');
    for (const panel of dashboard.panels) expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
  });

  it('start Prometheus and Grafana only under the observability profile, with their files mounted', () => {
    for (const name of ['prometheus', 'grafana']) {
      const service = compose.services[name]!;
      expect(service.profiles, name).toEqual(['observability']);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(source), `${name} mounts ${source}`).toBe(true);
      }
      // Published on the host's loopback only.
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
    for (const name of ['postgres', 'redis', 'mailpit', 'api']) expect(compose.services[name]!.profiles).toBeUndefined();
    const mounted = (compose.services.prometheus!.volumes ?? []).map((v) => v.split(':')[1]);
    for (const file of prometheus.rule_files) expect(mounted).toContain(file);
  });

  it('scrape the api on its metrics listener, not on the API port', () => {
    const api = compose.services.api!.environment!;
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets).toEqual([`api:${api.METRICS_PORT}`]);
    expect(api.METRICS_PORT).not.toBe(api.PORT);
    expect(api.METRICS_HOST).toBe('0.0.0.0');
    // The api publishes its API port only: metrics stay inside the compose network.
    expect(JSON.stringify(compose.services.api!.ports)).not.toContain(api.METRICS_PORT!);
  });
});
