import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import type { Config } from '../config.js';
import { isDatabaseUnavailable } from '../db/outage.js';
import { ErrorCode, isExpectedError, isPersistedQueryHashMismatch, serviceUnavailable } from '../errors.js';
import type { Logger } from '../logger.js';

/** Past this many validation errors graphql-js stops: a document of 10 000 unknown directives costs a few, not 10 000. */
export const MAX_VALIDATION_ERRORS = 5;

export interface AdmissionOptions {
  limits: Config['graphql']['limits'];
  introspection: boolean;
  /** Production: no "Did you mean" hints anywhere, validation and variable coercion alike. */
  hideSchemaDetails: boolean;
  /** Development: unexpected errors keep their message and stack; expected ones never carry a stack. */
  development: boolean;
}

export interface OperationRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export type Admitted =
  | { ok: true; document: DocumentNode; operation: OperationDefinitionNode }
  | { ok: false; errors: GraphQLError[] };

export type Admission = ReturnType<typeof createAdmission>;

/**
 * How an operation is let in, defined once for every door: Apollo over HTTP takes the parse options,
 * rules and formatter; graphql-ws calls `admit` and `formatError`, which apply the very same ones.
 *
 * Depth, aliases, directives and cost come from graphql-armor (its depth rule follows fragments). Its
 * depth and cost rules skip `__schema`, so the standard introspection query (depth 15) that Sandbox,
 * GraphiQL and codegen send passes wherever introspection is on; graphql-js's MaxIntrospectionDepthRule,
 * one of the specified rules, still refuses circular introspection. Tokens are capped by graphql-js's
 * parser (armor's Apollo token plugin throws from a hook Apollo reports as a 500). The root-field cap is ours.
 */
export function createAdmission(options: AdmissionOptions) {
  const { limits } = options;
  const armor = new ApolloArmor({
    maxDepth: { n: limits.depth, flattenFragments: true, ignoreIntrospection: true },
    maxAliases: { n: limits.aliases },
    maxDirectives: { n: limits.directives },
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.cost, ignoreIntrospection: true },
    // Suggestions are removed by formatError below, which also covers variable-coercion errors.
    blockFieldSuggestion: { enabled: false },
  });
  const validationRules: ValidationRule[] = [
    ...armor.protect().validationRules,
    maxRootFields(limits.rootFields),
    ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  const parseOptions = { maxTokens: limits.tokens };
  const validationOptions = { maxErrors: MAX_VALIDATION_ERRORS };

  return {
    parseOptions,
    /** Run after graphql-js's specified rules. */
    validationRules,
    validationOptions,

    /** Parse, validate, pick the operation and coerce its variables: what Apollo does before executing. */
    admit(schema: GraphQLSchema, request: OperationRequest): Admitted {
      let document: DocumentNode;
      try {
        document = parse(request.query, parseOptions);
      } catch (error) {
        return refused([error], 'GRAPHQL_PARSE_FAILED');
      }
      const invalid = validate(schema, document, [...specifiedRules, ...validationRules], validationOptions);
      if (invalid.length) return refused(invalid, 'GRAPHQL_VALIDATION_FAILED');
      const operation = getOperationAST(document, request.operationName ?? undefined);
      if (!operation)
        return refused([new GraphQLError('Unable to identify the operation to run.')], 'OPERATION_RESOLUTION_FAILURE');
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, {
        maxErrors: MAX_VALIDATION_ERRORS,
      });
      if (coerced.errors) return refused(coerced.errors, ErrorCode.BAD_USER_INPUT);
      return { ok: true, document, operation };
    },

    /**
     * Expected errors reach the client with their code, without a stack, and in production without
     * schema hints; anything else is masked to INTERNAL_SERVER_ERROR outside development.
     */
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      const original = unwrapResolverError(error);
      // A database outage is the server's, and passing: SERVICE_UNAVAILABLE tells the client to retry.
      if (isDatabaseUnavailable(original)) {
        const { message, extensions } = serviceUnavailable();
        return { message, ...(formatted.path ? { path: formatted.path } : {}), extensions };
      }
      if (isExpectedError(original)) {
        const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
        if (isPersistedQueryHashMismatch(original)) extensions.code = 'PERSISTED_QUERY_HASH_MISMATCH';
        const message = options.hideSchemaDetails ? withoutSuggestions(formatted.message) : formatted.message;
        return { ...formatted, message, extensions };
      }
      if (options.development) return formatted;
      return {
        message: 'Internal server error.',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
      };
    },
  };
}

/** Logs an error the client will see masked, once, with the request's logger (and so its request id). */
export function reportUnexpected(log: Logger, errors: readonly GraphQLError[]) {
  for (const error of errors) {
    const original = unwrapResolverError(error);
    if (isDatabaseUnavailable(original)) {
      log.warn({ err: { message: (original as Error).message }, path: error.path }, 'database unavailable');
    } else if (!isExpectedError(original)) log.error({ err: original, path: error.path }, 'unexpected error');
  }
}

const refused = (errors: readonly unknown[], code: string): Admitted => ({
  ok: false,
  errors: errors.map((e) => {
    const error = e instanceof GraphQLError ? e : new GraphQLError(String(e));
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      extensions: { ...error.extensions, code },
    });
  }),
});

/** graphql-js phrases every hint as a trailing "Did you mean …?" (fields, arguments, types, input fields, enum values). */
export const withoutSuggestions = (message: string) => message.replace(/ ?Did you mean(.+?)\?$/, '');

export function maxRootFields(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const count = node.selectionSet.selections.filter((s) => s.kind === Kind.FIELD).length;
      if (count > max) {
        context.reportError(new GraphQLError(`Too many root fields: ${count}, allowed ${max}.`, { nodes: [node] }));
      }
    },
  });
}
