import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { badInput } from '../errors.js';

// NUL, and a UTF-16 surrogate without its other half: Postgres text (UTF-8) can store neither, and
// the driver's error would otherwise surface as a 500. The control character is the point here.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be found
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string inside `value` that Postgres cannot store, or null. Pure. */
export function findUnstorable(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const found = findUnstorable(v, path ? `${path}.${key}` : key);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * Every argument of every field, literals and variables alike, after coercion: one check instead of
 * one per resolver, made before permissions, rate limits and resolvers see the value. Both `resolve`
 * and `subscribe` are wrapped (wrapping only `resolve` would miss a subscription as it starts).
 */
export function refuseUnstorableArguments(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field) => {
      if (!field.args || Object.keys(field.args).length === 0) return field;
      return {
        ...field,
        resolve: guarded(field.resolve ?? defaultFieldResolver),
        subscribe: field.subscribe && guarded(field.subscribe),
      };
    },
  });
}

const guarded =
  <C>(fn: GraphQLFieldResolver<unknown, C>): GraphQLFieldResolver<unknown, C> =>
  (parent, args, context, info) => {
    const field = findUnstorable(args);
    if (field !== null) {
      throw badInput(field, `${field} contains a character that cannot be stored (NUL or an unpaired UTF-16 surrogate).`);
    }
    return fn(parent, args, context, info);
  };
