import { registerEnumType } from 'type-graphql';

export enum Tier {
  FREE = 'FREE',
  PREMIUM = 'PREMIUM',
  ADMIN = 'ADMIN',
}

registerEnumType(Tier, { name: 'Tier', description: "A caller's plan; it sets their request budget." });

export const isTier = (value: unknown): value is Tier =>
  typeof value === 'string' && (Object.values(Tier) as string[]).includes(value);
