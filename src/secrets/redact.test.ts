import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, environmentSecrets, redact, redactingFetch, registerEnvironmentSecrets, registerSecret } from './redact.ts';

afterEach(() => clearSecrets());

describe('redaction of values from the environment', () => {
  it('takes secret-named variables and passwords inside URLs, not ordinary settings', () => {
    const env = {
      SLACK_SIGNING_SECRET: 'sign-0123456789',
      BURNWATCH_API_TOKEN: 'tok-0123456789',
      DATABASE_URL: 'postgres://bw:pa%24%24word@db:5432/bw',
      BURNWATCH_PORT: '8080',
      BURNWATCH_SLOS_DIR: 'slos',
      PGUSER: 'postgres',
    };
    expect(environmentSecrets(env).sort()).toEqual(['pa$$word', 'sign-0123456789', 'tok-0123456789']);
  });

  it('replaces every form of a secret (plain, URL-encoded, JSON-escaped), longest first', () => {
    registerEnvironmentSecrets({ X_TOKEN: 'a b"c/d+e=f' });
    registerSecret('short');
    registerSecret('abcdefgh');
    registerSecret('abcdefgh-longer');
    expect(redact('raw a b"c/d+e=f enc a%20b%22c%2Fd%2Be%3Df json a b\\"c/d+e=f')).toBe('raw *** enc *** json ***');
    expect(redact('abcdefgh-longer and abcdefgh and short')).toBe('*** and *** and short');
  });

  it('redacts what a fetch sends', async () => {
    registerSecret('s3cret-value');
    const sent: string[] = [];
    const inner = (async (url: string | URL | Request, init?: RequestInit) => {
      sent.push(`${String(url)} ${String(init?.body)}`);
      return new Response('{}');
    }) as typeof fetch;
    await redactingFetch(inner)('http://127.0.0.1/api/chat.postMessage', { method: 'POST', body: 'text=see%20s3cret-value' });
    await redactingFetch(inner)('http://127.0.0.1/r', { method: 'POST', body: JSON.stringify({ text: 'see s3cret-value' }) });
    expect(sent).toEqual(['http://127.0.0.1/api/chat.postMessage text=see%20***', 'http://127.0.0.1/r {"text":"see ***"}']);
  });
});
