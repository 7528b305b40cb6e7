/**
 * Whether an error says the database could not be reached or did not answer in time, rather than
 * that the request or the code was wrong: such a request may succeed when retried later, so it is
 * answered SERVICE_UNAVAILABLE instead of being masked as a bug.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { name, code, message } = e as { name?: unknown; code?: unknown; message?: unknown };
    if (typeof name === 'string' && unavailableNames.has(name)) return true;
    if (typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && unavailableMessages.test(message)) return true;
    e = (e as { cause?: unknown; previous?: unknown }).cause ?? (e as { previous?: unknown }).previous;
  }
  return false;
}

// The pool waited its acquire timeout for a connection (knex/tarn; MikroORM rewraps it as a
// DriverException, so its message is matched below too), or the ORM could not connect.
const unavailableNames = new Set(['KnexTimeoutError', 'ConnectionException']);

const unavailableCodes = new Set([
  // Sockets: refused, reset, timed out, unreachable.
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // Postgres: the statement timeout cancelled the query; the server is shutting down or starting;
  // too many connections. (Class 08, connection exceptions, is matched by its prefix.)
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

// What pg says when its socket dies or its own timeouts fire; what knex says of a transaction whose
// connection died under it ("already complete": rolled back by the failure); a database refusing connections.
const unavailableMessages =
  /Transaction query already complete|Connection terminated|connection timeout|Timeout acquiring a connection|^timeout expired$|Query read timeout|Client has encountered a connection error|not queryable|is not currently accepting connections/i;
