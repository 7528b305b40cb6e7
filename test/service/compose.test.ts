import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configVariables } from '../../src/config-env.js';

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown };
  depends_on?: Record<string, { condition?: string }>;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const declared = [...readFileSync('.env.example', 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);

describe('docker-compose.yml and .env.example', () => {
  it('.env.example lists every variable the service reads, once, and nothing else', () => {
    expect(new Set(declared).size).toBe(declared.length);
    expect([...declared].sort()).toEqual([...configVariables].sort());
  });

  it('runs Postgres with a health check', () => {
    const postgres = compose.services.postgres!;
    expect(postgres.image).toMatch(/^postgres:/);
    expect(JSON.stringify(postgres.healthcheck?.test)).toMatch(/pg_isready/);
  });

  it('runs the API after Postgres is healthy, with a readiness health check', () => {
    const api = compose.services.api!;
    expect(api.build).toBeDefined();
    expect(api.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(JSON.stringify(api.healthcheck?.test)).toContain('/health/ready');
  });

  it('gives the API exactly the variables of .env.example, on the postgres service, in production', () => {
    const env = compose.services.api!.environment!;
    expect(Object.keys(env).sort()).toEqual([...declared].sort());
    expect(env.NODE_ENV).toBe('production');
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(env.JWT_SIGNING_KEYS).toMatch(/^\$\{JWT_SIGNING_KEYS:\?/);
  });
});
