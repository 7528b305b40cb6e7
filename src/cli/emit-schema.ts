import { writeFileSync } from 'node:fs';
import { buildBaseSchema, printSchemaFile } from '../graphql/schema.js';

writeFileSync('schema.graphql', printSchemaFile(await buildBaseSchema()));
process.stdout.write('Wrote schema.graphql\n');
