// The folder rules that `npm run lint` checks (.dependency-cruiser.cjs), run by dependency-cruiser
// itself on small trees: a back edge between layers fails whichever way it is written (type-only
// too), adapters do not import each other, a new folder needs a layer, and the edges the layering
// allows pass. The real tree is checked by `npm run lint`.
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/test-databases.ts';

const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as { forbidden: IForbiddenRuleType[] };
const dirs: string[] = [];

/** The violations dependency-cruiser reports for a tree of files (path → text), as "rule: from -> to". */
async function violations(files: Record<string, string>): Promise<string[]> {
  const dir = await makeTempDir('bw-layers-');
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.join(dir, path.dirname(file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), text);
  }
  const { output } = await cruise(
    ['src'],
    { baseDir: dir, ruleSet: { forbidden: config.forbidden }, validate: true, tsPreCompilationDeps: true, parser: 'swc', doNotFollow: { path: 'node_modules' } },
    { extensions: ['.ts'] },
  );
  const { summary } = output as ICruiseResult;
  expect(summary.totalCruised).toBe(Object.keys(files).length); // every file was read
  return summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

const exported = 'export const x = 1;\nexport interface T { a: number }\n';

afterAll(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

describe('the folder layering of npm run lint', () => {
  it('passes the edges the layering allows: down the layers, the wiring place over the adapters, Slack over the report', async () => {
    expect(
      await violations({
        'src/domain/slo.ts': exported,
        'src/store/db.ts': "import { x } from '../domain/slo.ts';\nexport const y = x;\n",
        'src/service/service-context.ts': "import type { T } from '../domain/slo.ts';\nimport { y } from '../store/db.ts';\nexport const z = y;\nexport type C = T;\n",
        'src/reports/report-channel.ts': "import type { C } from '../service/service-context.ts';\nexport type R = C;\n",
        'src/slack/report/slack-report-channel.ts': "import type { R } from '../../reports/report-channel.ts';\nexport type S = R;\n",
        'src/app/extensions.ts': "import type { S } from '../slack/report/slack-report-channel.ts';\nimport { z } from '../service/service-context.ts';\nexport const e: S | number = z;\n",
        'src/cli/serve.ts': "import { e } from '../app/extensions.ts';\nexport const s = e;\n",
      }),
    ).toEqual([]);
  });

  it('fails a back edge: the service importing an adapter, an adapter importing src/app, also when the import is type-only', async () => {
    expect(
      await violations({
        'src/reports/report-schedule.ts': exported,
        'src/service/config.ts': "import { x } from '../reports/report-schedule.ts';\nexport const c = x;\n",
        'src/app/start-service.ts': exported,
        'src/slack/slack-extension.ts': "import type { T } from '../app/start-service.ts';\nexport type E = T;\n",
        'src/domain/slo.ts': "import { x } from '../cli/main.ts';\nexport const d = x;\n",
        'src/cli/main.ts': exported,
      }),
    ).toEqual([
      'domain-imports-nothing: src/domain/slo.ts -> src/cli/main.ts',
      'layer-domain: src/domain/slo.ts -> src/cli/main.ts',
      'layer-service: src/service/config.ts -> src/reports/report-schedule.ts',
      'layer-slack: src/slack/slack-extension.ts -> src/app/start-service.ts',
    ]);
  });

  it('fails an adapter importing another adapter of its layer, and Slack importing the console', async () => {
    expect(
      await violations({
        'src/reports/a.ts': exported,
        'src/console/b.ts': "import { x } from '../reports/a.ts';\nexport const b = x;\n",
        'src/slack/c.ts': "import { b } from '../console/b.ts';\nexport const c = b;\n",
      }),
    ).toEqual([
      'layer-console: src/console/b.ts -> src/reports/a.ts',
      'slack-never-imports-console: src/slack/c.ts -> src/console/b.ts',
    ]);
  });

  it('fails a folder that has no layer yet, importing or imported', async () => {
    expect(
      await violations({
        'src/domain/slo.ts': exported,
        'src/widgets/w.ts': "import { x } from '../domain/slo.ts';\nexport const w = x;\n",
        'src/app/extensions.ts': "import { w } from '../widgets/w.ts';\nexport const e = w;\n",
      }),
    ).toEqual([
      'every-folder-has-a-layer: src/widgets/w.ts -> src/domain/slo.ts',
      'only-layered-folders-are-imported: src/app/extensions.ts -> src/widgets/w.ts',
    ]);
  });
});
