import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPagingConfig, unknownTargets } from './paging-config.ts';
import { pagingRoute } from './paging-route.ts';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'paging-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});
const write = async (name: string, text: string) => {
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  return file;
};

const GOOD = `pagerduty:
  services:
    ranker: { routingKey: { env: PD_RANKER } }
    training: { routingKey: { file: KEYFILE } }
opsgenie:
  region: eu
  teams:
    features: { apiKey: { env: OG_FEATURES }, responders: [{ type: team, name: features }] }
routes:
  owners: { ml-training: pagerduty:training }
  severities: { page: pagerduty:ranker, ticket: webhook }
`;

describe('the paging config file', () => {
  it('reads keys from the environment and from secret files, at send time', async () => {
    const keyFile = path.join(dir, 'training-key');
    await fs.writeFile(keyFile, 'k'.repeat(32) + '\n');
    const file = await write('ok.yaml', GOOD.replace('KEYFILE', keyFile));
    const c = loadPagingConfig(file, { PD_RANKER: 'r'.repeat(32), OG_FEATURES: 'genie' });
    expect(c.pagerduty?.eventsUrl).toBe('https://events.pagerduty.com');
    expect(c.opsgenie?.apiUrl).toBe('https://api.eu.opsgenie.com');
    expect(c.pagerduty?.services.get('training')?.read()).toBe('k'.repeat(32));
    await fs.writeFile(keyFile, 'n'.repeat(32)); // a rotated Secret
    expect(c.pagerduty?.services.get('training')?.read()).toBe('n'.repeat(32));
    expect(unknownTargets(c, ['pagerduty:ranker', 'opsgenie:nobody', 'pagerduty:gone'])).toEqual([
      'opsgenie:nobody: no opsgenie.teams.nobody in the paging config',
      'pagerduty:gone: no pagerduty.services.gone in the paging config',
    ]);
  });

  it('names the file, line and field of a mistake, and every missing key', async () => {
    const bad = await write('bad.yaml', 'pagerduty:\n  services:\n    ranker: { routingKey: "r0123" }\n');
    expect(() => loadPagingConfig(bad, {})).toThrow(/bad\.yaml:3 pagerduty\.services\.ranker\.routingKey/);
    const missing = await write('missing.yaml', GOOD.replace('KEYFILE', path.join(dir, 'nope')));
    expect(() => loadPagingConfig(missing, {})).toThrow(
      /pagerduty service ranker: no routing key in env PD_RANKER[\s\S]*pagerduty service training: no routing key in file [\s\S]*opsgenie team features: no API key in env OG_FEATURES/,
    );
    const route = await write('route.yaml', 'routes:\n  severities: { page: pagerduty:ranker }\n');
    expect(() => loadPagingConfig(route, {})).toThrow(/pagerduty:ranker: no pagerduty.services.ranker/);
  });
});

describe('paging routes', () => {
  const route = (routes: object) =>
    pagingRoute({ file: 'x', pagerduty: undefined, opsgenie: undefined, oncall: {}, routes: { owners: {}, severities: {}, ...routes } as never });
  const slo = (over: object = {}) => ({ owner: 'recs-serving', alerting: {}, ...over });

  it("pages the SLO's own pager, else its owner's, else the page severity's", () => {
    const r = route({ owners: { 'recs-serving': 'opsgenie:recs' }, severities: { page: 'pagerduty:default', ticket: 'webhook' } });
    expect(r({ kind: 'firing', severity: 'page' }, slo({ alerting: { page: 'pagerduty:ranker' } }))).toEqual(['pagerduty:ranker']);
    expect(r({ kind: 'firing', severity: 'page' }, slo())).toEqual(['opsgenie:recs']);
    expect(r({ kind: 'resolved', severity: 'page' }, slo({ owner: 'other' }))).toEqual(['pagerduty:default']);
  });

  it('sends tickets only where routes.severities.ticket says, and never no_data', () => {
    const r = route({ severities: { page: 'pagerduty:default', ticket: 'webhook' } });
    expect(r({ kind: 'firing', severity: 'ticket' }, slo({ alerting: { page: 'pagerduty:ranker' } }))).toEqual(['webhook']);
    expect(route({})({ kind: 'firing', severity: 'ticket' }, slo())).toEqual([]);
    expect(r({ kind: 'no_data', severity: null }, slo())).toEqual([]);
  });
});
