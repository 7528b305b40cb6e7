import type { CodegenConfig } from '@graphql-codegen/cli';

const typedDocuments = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    scalars: { DateTimeISO: 'string', ID: 'string' },
  },
} as const;

/**
 * Typed documents for the operations Tollgate ships, generated from the committed schema: for the tests
 * (src/client/generated) and, the same documents, exported by @tollgate/client (`@tollgate/client/documents`).
 * The package's core sends a few operations of its own, typed as plain strings so it needs no GraphQL library.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  emitLegacyCommonJSImports: false,
  generates: {
    'src/client/generated/': { ...typedDocuments, documents: ['src/client/operations.graphql'] },
    'packages/client/src/generated/': { ...typedDocuments, documents: ['src/client/operations.graphql'] },
    'packages/client/src/operations/': {
      ...typedDocuments,
      documents: ['packages/client/src/operations.graphql'],
      config: { ...typedDocuments.config, documentMode: 'string' },
    },
  },
};

export default config;
