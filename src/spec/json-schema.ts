// The burnwatch/v1 formats as a JSON Schema, made from the same zod schemas the loader parses
// with (zod's own toJSONSchema), so an editor's completion and checks cannot drift from
// `burnwatch validate`. The three custom scalars are written out as the patterns they accept.
// `validate` still knows more (PromQL syntax, cross-field rules, references); the JSON Schema is
// for typing, not a second validator.
import { z } from 'zod';
import { BudgetPolicyDoc } from './budget-policy-schema.ts';
import { Bytes, DataSourceDoc, Duration, Seconds, SloDoc } from './schema.ts';

const DURATION = '^([0-9]+(ms|s|m|h|d|w|y))+$';
const ENV_REFERENCE = { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}' };

export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(z.union([SloDoc, DataSourceDoc, BudgetPolicyDoc]), {
    io: 'input',
    target: 'draft-7',
    // the custom scalars are filled in by `override` below
    unrepresentable: 'any',
    override: (ctx) => {
      const s = ctx.jsonSchema as Record<string, unknown>;
      // Files are checked before `${VAR}` is replaced: a string with a pattern or format may also be a reference.
      if (s.type === 'string' && (s.pattern !== undefined || s.format !== undefined)) {
        const { description, ...checked } = s;
        for (const k of Object.keys(s)) delete s[k];
        Object.assign(s, { anyOf: [checked, ENV_REFERENCE], ...(description !== undefined ? { description } : {}) });
      }
      if (ctx.zodSchema === Duration) Object.assign(s, { type: 'string', pattern: DURATION, description: 'a Prometheus duration: 30s, 5m, 1h, 28d, 1h30m' });
      if (ctx.zodSchema === Seconds)
        Object.assign(s, { anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string', pattern: DURATION }], description: 'seconds (0.15) or a duration (150ms)' });
      if (ctx.zodSchema === Bytes)
        Object.assign(s, {
          anyOf: [{ type: 'integer', exclusiveMinimum: 0 }, { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?\\s*(B|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)$' }],
          description: 'bytes, or a size: 10GB (×1000) or 10GiB (×1024)',
        });
    },
  }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://burnwatch.dev/schema/burnwatch-v1.schema.json',
    title: 'burnwatch/v1 SLO, DataSource and BudgetPolicy',
    description: 'Generated from src/spec/schema.ts and src/spec/budget-policy-schema.ts by `npm run schema`; do not edit.',
  };
}
