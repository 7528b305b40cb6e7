import { randomBytes } from 'node:crypto';

/** Just enough GraphQL client to prepare users and sessions before the load starts. */

export interface GraphQLResponse<T> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * Every request of a run, preparation and load alike, comes from one client, as an app's users sign up and
 * then sign in from the same browser. A different one would make each account's first bench sign-in a
 * "new client" and charge its notice mail to `login`.
 */
export const BENCH_USER_AGENT = 'tollgate-bench/1';

export async function gql<T>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': BENCH_USER_AGENT,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
}

export interface Account extends Tokens {
  password: string;
}

export const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ... on AuthPayload { accessToken refreshToken user { id email } } } }`;
export const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id email } } }`;

const runTag = randomBytes(3).toString('hex');
let serial = 0;

/** A fresh, valid registration: unique email, random (so never "common") password. */
export function newCredentials() {
  serial++;
  return { email: `bench-${runTag}-${serial}@bench.example.com`, password: `pw-${randomBytes(12).toString('base64url')}` };
}

export async function registerAccount(baseUrl: string): Promise<Account> {
  const input = newCredentials();
  const res = await gql<{ register: Tokens }>(baseUrl, REGISTER, { input });
  if (!res.data?.register) throw new Error(`register failed: HTTP ${res.status} ${JSON.stringify(res.errors)}`);
  return { ...res.data.register, password: input.password };
}

/** Runs `count` registrations a few at a time; argon2 queues anyway, and this keeps preparation short. */
export async function registerAccounts(baseUrl: string, count: number, parallel = 4): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, () => registerAccount(baseUrl));
    accounts.push(...(await Promise.all(batch)));
  }
  return accounts;
}

/**
 * A service-account key, made the way an operator would: an account promoted to ADMIN in the
 * database (what `npm run admin -- grant` does), which then creates the service account.
 */
export async function createWorkerKey(baseUrl: string, promote: (userId: string) => Promise<void>): Promise<string> {
  const admin = await registerAccount(baseUrl);
  await promote(admin.user.id);
  const login = await gql<{ login: Tokens }>(baseUrl, LOGIN, {
    input: { identifier: admin.user.email, password: admin.password },
  });
  if (!login.data?.login) throw new Error(`admin login failed: ${JSON.stringify(login.errors)}`);
  const created = await gql<{ createServiceAccount: { apiKey: string } }>(
    baseUrl,
    'mutation { createServiceAccount(name: "bench-worker") { apiKey } }',
    {},
    login.data.login.accessToken,
  );
  if (!created.data?.createServiceAccount) throw new Error(`createServiceAccount failed: ${JSON.stringify(created.errors)}`);
  return created.data.createServiceAccount.apiKey;
}
