import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigReference } from './config-reference.js';

// npm run docs:config: regenerates docs/operations/configuration.md after a setting is added or changed.
const path = 'docs/operations/configuration.md';
writeFileSync(path, renderConfigReference(readFileSync('.env.example', 'utf8')));
process.stdout.write(`Wrote ${path}\n`);
