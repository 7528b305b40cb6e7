import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations written in src/ with `graphql(...)`. In a separate repository point
 * `schema` at a copy of Tollgate's schema.graphql (or at the running API, which serves introspection
 * outside production); here it is the one committed at the root of the Tollgate repository.
 */
const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  emitLegacyCommonJSImports: false,
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        onlyOperationTypes: true,
        scalars: { DateTimeISO: 'string', ID: 'string' },
      },
    },
  },
};

export default config;
