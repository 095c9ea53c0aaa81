// The web console's settings (src/console), read with the rest of the service's environment
// (config.ts spreads `consoleEnvSchema`): where the console is reachable from Slack,
// whether reading needs a login, and which proxies may vouch for a user.
import proxyAddr from 'proxy-addr';
import { z } from 'zod';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

export const consoleEnvSchema = z.object({
  /** The console's address as people reach it (https://burnwatch.example.com): Slack links point here. */
  BURNWATCH_PUBLIC_URL: optionalString.refine((v) => v === undefined || (URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol)), {
    message: 'expected an http:// or https:// URL',
  }),
  /** Anyone who reaches the port may read (the console and /api/*); writes still need the token. */
  BURNWATCH_PUBLIC_READ: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default('false')
    .transform((v) => ['true', '1', 'yes'].includes(v)),
  /** Addresses (or CIDR ranges) of the authenticating proxy whose X-Forwarded-User/-Email are believed. */
  BURNWATCH_TRUSTED_PROXIES: optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        proxyAddr.compile(splitList(v));
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected a comma-separated list of IP addresses or CIDR ranges (e.g. 10.0.0.5,10.1.0.0/16)' },
  ),
});

export interface ConsoleConfig {
  publicUrl: string | undefined;
  publicRead: boolean;
  trustedProxies: string[];
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function consoleConfig(e: z.infer<typeof consoleEnvSchema>): ConsoleConfig {
  return {
    publicUrl: e.BURNWATCH_PUBLIC_URL?.replace(/\/+$/, ''),
    publicRead: e.BURNWATCH_PUBLIC_READ,
    trustedProxies: e.BURNWATCH_TRUSTED_PROXIES ? splitList(e.BURNWATCH_TRUSTED_PROXIES) : [],
  };
}
