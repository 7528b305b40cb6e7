import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  crossingsOfStores,
  cycles,
  fixturesDir,
  importGraph,
  longFiles,
  plumbingInFeatures,
  readTree,
  resolversImportingStores,
  type SourceTree,
  specifiersOf,
  statementsOutsideStores,
  tableOwners,
  tablesNamedBy,
  upwardArrows,
} from '../helpers/architecture.js';

// The rules of docs/ARCHITECTURE.md ("Two tests keep the shape"), checked on src/ and, each of them, on a
// tree broken on purpose (test/fixtures/architecture/broken/README.md) so that every rule is seen to fail.

/**
 * The joins that must cross a feature's line: store → table (owning feature), each with its reason. The
 * only list of them; a crossing not here fails, and so does an entry that no longer crosses (delete it).
 */
const ALLOWED_CROSSINGS: Record<string, string> = {
  // The session check returns the viewer with its session: one statement per request on the hottest path,
  // and the user's tier and email must be read as of the check. Refresh rotation returns the user the same way.
  'modules/session/session.store.ts → app_user (user)':
    'the session check and rotation read the user in the same statement; sign-in stamps last_login_at only if the verified hash is still current',
  // Opening, rotating and ending a session record their security event in the same statement or transaction step.
  'modules/session/session.store.ts → security_event (security-event)':
    'a session opened or rotated records its event in the same statement (one round trip, never half-written)',
  // Account changes (verify, password, email, delete) are writes to the user's own row by the account feature.
  'modules/account/account.store.ts → app_user (user)':
    "the account feature changes the user's credentials (email, password, verification) and deletes the account",
  'modules/account/account.store.ts → session (session)':
    "an account's summary counts its other sessions, and a fresh-sign-in check reads the current session's age",
  // A report is admitted only if the worker's key is live, checked in the report's own statement, so a revoked
  // key writes nothing on any instance (test/progress/worker-keys.security.test.ts).
  'modules/progress/progress.store.ts → service_account (service-account)':
    "the report statement checks the worker's key is live in the same round trip",
};

/**
 * Files over the 250-line limit today, each with what its second concern is. Issue #29 splits them; each
 * entry goes when its file is under the limit (a stale entry fails).
 */
const ALLOWED_LONG_FILES: Record<string, string> = {
  'app.ts': 'the composition root also parses request input and runs background jobs (#29: back to wiring)',
  'config-env.ts': 'the schema of every setting; per-area schemas would split it',
  'config.ts': 'parsing and the derived settings of every area',
  'db/sql.ts': 'the statement helper, the transaction helper and the error classifiers',
  'http/subscriptions.ts': 'the socket gate beside the per-socket and fleet-wide per-user caps (#29: caps apart)',
  'modules/account/account.service.ts': 'email change and password flows beside the account summary',
  'modules/auth/auth.service.ts': 'registration and sign-in in one service',
  'modules/session/session.service.ts': 'session check, refresh and lifecycle together (#29: split by concern)',
  'modules/session/session.store.ts': 'the same three concerns in SQL (#29: split by concern)',
};

/** Violations that are neither allowed nor gone: what a rule found beyond its allow-list, and stale entries. */
function beyond(found: string[], allowed: Record<string, string>, key: (violation: string) => string = (v) => v) {
  const keys = new Set(found.map(key));
  return {
    unexpected: found.filter((v) => !(key(v) in allowed)),
    stale: Object.keys(allowed).filter((k) => !keys.has(k)),
  };
}
const fileOf = (violation: string) => violation.replace(/ \(\d+ lines\)$/, '');

describe('the rules on src/', () => {
  const src = readTree(resolve('src'));
  const graph = importGraph(src);

  it('no feature under modules/ imports the HTTP or GraphQL plumbing or the context builder', () => {
    expect(plumbingInFeatures(src)).toEqual([]);
  });

  it('has no import cycles, dynamic imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('runs statements only in stores, db/ and modules/realtime/', () => {
    expect(statementsOutsideStores(src)).toEqual([]);
  });

  it('resolvers import no store', () => {
    expect(resolversImportingStores(src)).toEqual([]);
  });

  it('has no upward arrow inside modules/: no feature imports another feature’s resolver', () => {
    expect(upwardArrows(src)).toEqual([]);
  });

  it('a store names only its own feature’s tables, plus the allow-list', () => {
    expect(tableOwners(src).size).toBeGreaterThan(5); // the owners were read at all
    expect(beyond(crossingsOfStores(src), ALLOWED_CROSSINGS)).toEqual({ unexpected: [], stale: [] });
  });

  it(`no file in src/ is over 250 lines (generated code left out), beyond the allow-list`, () => {
    expect(beyond(longFiles(src), ALLOWED_LONG_FILES, fileOf)).toEqual({ unexpected: [], stale: [] });
  });
});

describe('each rule fails on a tree broken on purpose', () => {
  const broken: SourceTree = readTree(join(fixturesDir, 'broken'));

  it('reads static, re-exported, side-effect and dynamic imports, and not those in comments', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "export { c } from './c.js';",
      "import './d.js';",
      "const e = await import('./e.js');",
      'const f = () => import(`./f.js`);',
      "// import { g } from './g.js';",
      "/* const h = await import('./h.js'); */",
    ].join('\n');
    expect(specifiersOf(text)).toEqual(['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js']);
  });

  it('a feature importing the HTTP plumbing', () => {
    expect(plumbingInFeatures(broken)).toEqual(['modules/beta/beta.service.ts → http/server.ts']);
  });

  it('an import cycle closed by a dynamic import', () => {
    expect(cycles(importGraph(broken))).toEqual([
      ['modules/beta/beta.helper.ts', 'modules/beta/beta.rules.ts', 'modules/beta/beta.helper.ts'],
    ]);
  });

  it('a service running a statement (a store and modules/realtime/ may)', () => {
    expect(statementsOutsideStores(broken)).toEqual(['modules/alpha/alpha.service.ts: an EntityManager statement']);
  });

  it('a resolver importing a store', () => {
    expect(resolversImportingStores(broken)).toEqual(['modules/alpha/alpha.resolver.ts → modules/alpha/alpha.store.ts']);
  });

  it('a feature importing another feature’s resolver, through a dynamic import', () => {
    expect(upwardArrows(broken)).toEqual(['modules/alpha/alpha.service.ts → modules/beta/beta.resolver.ts']);
  });

  it('a store naming another feature’s table, in SQL or through the ORM, and not in comments', () => {
    expect(crossingsOfStores(broken)).toEqual(['modules/alpha/alpha.store.ts → beta_item (beta)']);
    const owners = tableOwners(broken);
    const classes = new Map([['BetaItem', 'beta_item']]);
    expect([...tablesNamedBy('export const s = { read: (em) => em.find(BetaItem, {}) };', owners, classes)]).toEqual([
      'beta_item',
    ]);
    expect([...tablesNamedBy("// read from beta_item\nconst s = 'select 1 from alpha_item';", owners, classes)]).toEqual([
      'alpha_item',
    ]);
  });

  it('a file over 250 lines', () => {
    expect(longFiles(broken)).toEqual(['long.ts (251 lines)']);
  });

  it('an allow-list entry that no longer matches is reported, as is a violation not on it', () => {
    expect(beyond(['x.ts (300 lines)'], { 'y.ts': 'split since' }, fileOf)).toEqual({
      unexpected: ['x.ts (300 lines)'],
      stale: ['y.ts'],
    });
  });
});
