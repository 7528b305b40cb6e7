import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvExample, renderConfigReference } from '../../src/cli/config-reference.js';
import { configVariables } from '../../src/config-env.js';

const markdown = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdown(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
const pages = ['README.md', 'bench/RESULTS.md', ...markdown('docs')];

// Written by other engineers on other branches; linked from here before they land.
const landingElsewhere = new Set([
  'docs/security.md',
  'docs/guide/signup.md',
  'docs/operations/metrics.md',
  'docs/operations/scaling.md',
  'docs/operations/load-model.md',
]);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchors = (text: string) =>
  new Set(
    [...text.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\- ]/gu, '')
        .replace(/ /g, '-'),
    ),
  );

describe('the docs', () => {
  it('configuration.md is what npm run docs:config generates from the schema and .env.example', () => {
    expect(readFileSync('docs/operations/configuration.md', 'utf8')).toBe(
      renderConfigReference(readFileSync('.env.example', 'utf8')),
    );
  });

  it('the configuration reference names every setting of the schema, each with its meaning', () => {
    const reference = readFileSync('docs/operations/configuration.md', 'utf8');
    const documented = readEnvExample(readFileSync('.env.example', 'utf8'));
    for (const name of configVariables) {
      expect(reference, name).toContain(`| \`${name}\` |`);
      expect(documented.get(name)?.comment, name).toMatch(/\w{3}/);
    }
  });

  it('the README stays a README: at most 300 lines', () => {
    expect(readFileSync('README.md', 'utf8').split('\n').length).toBeLessThanOrEqual(300);
  });

  it('every relative link leads to a file that exists, and every #anchor to a heading in it', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target!)) continue;
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const file = path ? normalize(join(dirname(page), path)) : page;
        if (landingElsewhere.has(file)) continue;
        if (!existsSync(file)) {
          broken.push(`${page}: ${target} (no such file)`);
          continue;
        }
        if (anchor && !statSync(file).isDirectory() && !anchors(readFileSync(file, 'utf8')).has(anchor)) {
          broken.push(`${page}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
