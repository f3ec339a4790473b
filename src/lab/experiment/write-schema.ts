// Writes the experiment schema (schema.ts) to schema/experiment.schema.json, the published copy that editors
// and examples/ reference: `node dist/src/lab/experiment/write-schema.js`. A test fails while the two differ.
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../engine/native.js';
import { EXPERIMENT_SCHEMA } from './schema.js';

export const SCHEMA_FILE = path.join(packageRoot, 'schema', 'experiment.schema.json');

/** The published file's text: the schema as indented JSON. */
export function schemaText(): string {
  return `${JSON.stringify(EXPERIMENT_SCHEMA, null, 2)}\n`;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  writeFileSync(SCHEMA_FILE, schemaText());
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
