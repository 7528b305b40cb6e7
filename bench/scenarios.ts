import { gql, newCredentials, type Account } from './graphql-client.js';
import type { ConnectionScript } from './load.js';

/** Tollgate's operations under load. Each one prepares what it needs, or says why it cannot run yet. */

export interface ScenarioContext {
  url: string;
  /** The user whose access token `me` and `rateLimitStatus` carry. */
  viewer: Account;
  /** Users with a fresh session each: refresh takes one chain per connection per phase; login signs them in. */
  accounts: Account[];
  /** A service account's API key, as a worker holds it. */
  workerKey: string;
}

export type Phase = 'warmup' | 'measure';

/** `index` numbers the connections of one run from 0, so a connection can pick up state an earlier run left. */
export type Prepared = { skip: string } | { connection(phase: Phase, index: number): ConnectionScript };

export interface Scenario {
  name: string;
  connections: number;
  /** Bound by argon2: repeats are sized by time, and it is the argon2 floor these are compared with. */
  hashes?: boolean;
  prepare(ctx: ScenarioContext): Promise<Prepared>;
}

const payload = (query: string, variables?: Record<string, unknown>) =>
  JSON.stringify(variables ? { query, variables } : { query });
const bearer = (account: Account) => ({ authorization: `Bearer ${account.accessToken}` });

const ME = '{ me { id email } }';
const REFRESH = 'mutation($t: String) { refresh(refreshToken: $t) { accessToken refreshToken } }';
const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }';
const REGISTER =
  'mutation($input: RegisterInput!) { register(input: $input) { ... on AuthPayload { accessToken refreshToken } } }';
const RATE_LIMIT_STATUS = '{ rateLimitStatus { tier limits { field remaining } } }';

const me: Scenario = {
  name: 'me',
  connections: 50,
  prepare: async ({ viewer }) => ({ connection: () => ({ body: payload(ME), headers: bearer(viewer) }) }),
};

/**
 * Rotation under load: every connection follows its own session chain, sending the token it last received.
 * Measured runs send a fixed number of requests and wait for every answer, so a chain's last token is always
 * known and the next repeat carries on with it. The warm-up stops on the clock and may cut a rotation off
 * mid-flight (its successor never received): it uses chains of its own, so measurement never takes the grace path.
 */
const refresh: Scenario = {
  name: 'refresh',
  connections: 50,
  async prepare({ accounts }) {
    const need = 2 * this.connections;
    if (accounts.length < need) throw new Error(`refresh needs ${need} prepared sessions, has ${accounts.length}`);
    const tokens = accounts.slice(0, need).map((a) => a.refreshToken);
    const offset = { warmup: 0, measure: this.connections };
    return {
      connection: (phase, index) => {
        const chain = offset[phase] + index;
        if (index >= this.connections) throw new Error('refresh: more connections than session chains');
        return {
          body: () => payload(REFRESH, { t: tokens[chain] }),
          onResponse(status, text) {
            if (status !== 200) return;
            try {
              const next = (JSON.parse(text) as { data?: { refresh?: { refreshToken?: string } } }).data?.refresh?.refreshToken;
              if (next) tokens[chain] = next;
            } catch {
              // Counted as an error by load(); the chain keeps its last good token.
            }
          },
        };
      },
    };
  },
};

/** Signs in as many distinct users as there are connections, so no single user row is contended. */
const loginWith = (name: string, connections: number): Scenario => ({
  name,
  connections,
  hashes: true,
  async prepare({ accounts }) {
    let next = 0;
    return {
      connection: () => {
        const account = accounts[next++ % accounts.length]!;
        return { body: payload(LOGIN, { input: { identifier: account.user.email, password: account.password } }) };
      },
    };
  },
});

const register: Scenario = {
  name: 'register',
  connections: 50,
  hashes: true,
  prepare: async () => ({ connection: () => ({ body: () => payload(REGISTER, { input: newCredentials() }) }) }),
};

const rateLimitStatus: Scenario = {
  name: 'rateLimitStatus',
  connections: 50,
  async prepare({ url, viewer }) {
    const probe = await gql(url, RATE_LIMIT_STATUS, {}, viewer.accessToken);
    // Being added to the schema now: until it exists, record a skip rather than a failure.
    if (probe.errors?.some((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED')) {
      return { skip: `not in the schema yet (${probe.errors[0]?.message ?? 'validation failed'})` };
    }
    return { connection: () => ({ body: payload(RATE_LIMIT_STATUS), headers: bearer(viewer) }) };
  },
};

const REPORT =
  'mutation($input: ReportProgressInput!) { reportResourceProgress(input: $input) { overallStatus percentComplete } }';
const READ =
  'query($id: ID!) { resourceProgress(resourceId: $id) { overallStatus percentComplete stages { stage status percent } } }';

/** A worker reporting a stage it is still processing: each connection its own resource, so no row is contended. */
const reportResourceProgress: Scenario = {
  name: 'reportResourceProgress',
  connections: 50,
  async prepare({ viewer, workerKey }) {
    return {
      connection(phase, index) {
        const resourceId = `bench-${phase}-${index}`;
        let percent = 0;
        const nextPercent = () => {
          percent = (percent + 1) % 100;
          return percent;
        };
        return {
          body: () =>
            payload(REPORT, {
              input: {
                resourceId,
                ownerId: viewer.user.id,
                stage: 'EMBEDDING',
                status: 'PROCESSING',
                percent: nextPercent(),
              },
            }),
          headers: { authorization: `Bearer ${workerKey}` },
        };
      },
    };
  },
};

/** The owner's progress bar polling one resource. */
const resourceProgress: Scenario = {
  name: 'resourceProgress',
  connections: 50,
  async prepare({ url, viewer, workerKey }) {
    const input = { resourceId: 'bench-read', ownerId: viewer.user.id, stage: 'INGESTION', status: 'PROCESSING', percent: 40 };
    const seeded = await gql(url, REPORT, { input }, workerKey);
    if (seeded.errors) throw new Error(`resourceProgress: seeding failed: ${JSON.stringify(seeded.errors)}`);
    return { connection: () => ({ body: payload(READ, { id: 'bench-read' }), headers: bearer(viewer) }) };
  },
};

export const tollgateScenarios: Scenario[] = [
  me,
  refresh,
  rateLimitStatus,
  reportResourceProgress,
  resourceProgress,
  loginWith('login', 50),
  loginWith('login2', 2),
  register,
];
