import { writeFileSync } from 'node:fs';
import { buildGraphQLSchema, printSchemaFile } from '../graphql/schema.js';

writeFileSync('schema.graphql', printSchemaFile(await buildGraphQLSchema()));
process.stdout.write('Wrote schema.graphql\n');
