// npm run schema: writes schema/burnwatch-v1.schema.json from the zod schemas.
import fs from 'node:fs';
import { specJsonSchema } from '../src/spec/json-schema.ts';

const file = new URL('../schema/burnwatch-v1.schema.json', import.meta.url);
fs.writeFileSync(file, `${JSON.stringify(specJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
