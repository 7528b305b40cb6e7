/** The time source every rule about expiry reads, so tests can move time instead of sleeping. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
