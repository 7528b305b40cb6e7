import type { Clock } from '../../src/clock.js';

/** A clock that moves only when told, so expiry is tested without sleeping. */
export function manualClock(
  start = new Date(Math.floor(Date.now() / 1000) * 1000),
): Clock & { advance(ms: number): void; set(date: Date): void } {
  let now = start.getTime();
  const clock = () => new Date(now);
  return Object.assign(clock, {
    advance: (ms: number) => {
      now += ms;
    },
    set: (date: Date) => {
      now = date.getTime();
    },
  });
}
