// Reads the `authorization:` section of BURNWATCH_ACTIONS_CONFIG. No section: no policy
// (every command allowed, and start-up says so). Errors name the file and the field.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { type AuthorizationPolicy, policySchema } from './policy-schema.ts';

export async function loadAuthorizationPolicy(file: string | undefined): Promise<AuthorizationPolicy | undefined> {
  if (!file) return undefined;
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'), { maxAliasCount: 100 });
  } catch (e) {
    throw new Error(`cannot read the authorization policy ${file}: ${(e as Error).message}`, { cause: e });
  }
  const section = doc && typeof doc === 'object' && 'authorization' in doc ? (doc as { authorization: unknown }).authorization : undefined;
  if (section === undefined) return undefined;
  const parsed = policySchema.safeParse(section ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  authorization.${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid authorization policy in ${file}:\n${problems}`);
  }
  return parsed.data;
}
