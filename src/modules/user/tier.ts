import { registerEnumType } from 'type-graphql';

export enum Tier {
  FREE = 'FREE',
  PREMIUM = 'PREMIUM',
  ADMIN = 'ADMIN',
}

registerEnumType(Tier, {
  name: 'Tier',
  description: "A caller's plan; it sets their request budget (see rateLimitStatus).",
  valuesConfig: {
    FREE: { description: 'The default, and what anonymous callers count as.' },
    PREMIUM: { description: 'About ten times the FREE budgets.' },
    ADMIN: { description: 'Administrators: users, tiers and service accounts; about a hundred times the FREE budgets.' },
  },
});

export const isTier = (value: unknown): value is Tier =>
  typeof value === 'string' && (Object.values(Tier) as string[]).includes(value);
