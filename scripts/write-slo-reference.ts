// npm run docs:reference: writes docs/slo-reference.md from the zod schemas (scripts/slo-reference.ts).
import fs from 'node:fs';
import { sloReference } from './slo-reference.ts';

const file = new URL('../docs/slo-reference.md', import.meta.url);
fs.writeFileSync(file, sloReference());
console.log(`wrote ${file.pathname}`);
