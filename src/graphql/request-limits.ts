import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, type ValidationRule } from 'graphql';
import type { Config } from '../config.js';

/**
 * Bounds on what one operation may ask for. graphql-armor supplies depth, aliases, directives and
 * cost (maintained, and its depth rule follows fragments, which a hand-written rule easily gets
 * wrong). Tokens are capped by graphql-js's own parser option instead: armor's Apollo token plugin
 * throws from a hook Apollo reports as a 500. The root-field cap is ours; armor has none.
 */
export function requestLimits(limits: Config['graphql']['limits']) {
  const armor = new ApolloArmor({
    // Introspection counts too: the circular introspection query is the classic depth attack.
    maxDepth: { n: limits.depth, flattenFragments: true, ignoreIntrospection: false },
    maxAliases: { n: limits.aliases },
    maxDirectives: { n: limits.directives },
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.cost },
    // Suggestions are hidden by Apollo in production and useful in development.
    blockFieldSuggestion: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    plugins,
    validationRules: [...validationRules, maxRootFields(limits.rootFields)],
    parseOptions: { maxTokens: limits.tokens },
  };
}

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
