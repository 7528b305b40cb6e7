import { afterAll } from 'vitest';
import { closeTestApps } from './test-app.js';

// Top level of a setup file, so it runs after every test file: each file's apps close and their databases are dropped.
afterAll(closeTestApps);
