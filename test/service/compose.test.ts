import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    expect(env.JWT_SIGNING_KEYS).toMatch(/^\$\{JWT_SIGNING_KEYS:-\}$/);
  });

  it('interpolates nothing with :? — compose would refuse every command, keygen included, until .env had keys', () => {
    expect(readFileSync('docker-compose.yml', 'utf8')).not.toMatch(/\$\{[A-Z_]+:?\?/);
  });
});

describe('the Docker image', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const build = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as {
    include: string[];
    compilerOptions: { rootDir: string; outDir: string };
  };

  it('runs the server in production and holds the compiled commands', () => {
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production/m);
    expect(dockerfile).toContain('CMD ["node", "--max-old-space-size=256", "dist/main.js", "--production"]');
    // dist/ is the whole compiled src/, so dist/cli/*.js is there beside dist/main.js.
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/package\.json/m);
    expect(build.include).toEqual(['src']);
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
  });

  it('every `node dist/cli/*.js` the docs and compose name is a command in src/cli', () => {
    const texts = ['README.md', 'docker-compose.yml', 'Dockerfile', ...docs('docs')].map((f) => readFileSync(f, 'utf8'));
    const named = new Set(texts.flatMap((t) => [...t.matchAll(/node dist\/cli\/([a-z-]+)\.js/g)].map((m) => m[1]!)));
    expect([...named].sort()).toEqual(expect.arrayContaining(['admin', 'keygen', 'migrate']));
    for (const name of named) expect(existsSync(`src/cli/${name}.ts`), name).toBe(true);
  });

  it('the production docs make the keys with Docker alone and the first admin inside the api container', () => {
    const production = readFileSync('docs/operations/production.md', 'utf8');
    // run, not exec: no container is up yet; --no-deps: it needs no database; -T: no CR in the appended lines.
    expect(production).toContain('docker compose run --rm --no-deps -T api node dist/cli/keygen.js >> .env');
    // The compose Postgres publishes no port: the admin command runs where DATABASE_URL reaches it.
    expect(production).toContain('docker compose exec api node dist/cli/admin.js grant');
    expect(production).toContain('docker compose run --rm api node dist/cli/migrate.js');
    expect(compose.services.postgres!).not.toHaveProperty('ports');
  });
});

function docs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? docs(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}
