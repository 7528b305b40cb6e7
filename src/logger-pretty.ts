import { createRequire } from 'node:module';
import type { DestinationStream } from 'pino';

/**
 * pino-pretty, for a developer's terminal. A dev dependency, so it is required here, only when asked
 * for: a production install has no copy, and falls back to JSON if development is forced on one.
 */
export function prettyStream(destination?: DestinationStream): DestinationStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as (options: object) => DestinationStream;
    return pretty({
      destination: destination ?? 1,
      colorize: destination === undefined,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'service',
    });
  } catch {
    return destination;
  }
}
