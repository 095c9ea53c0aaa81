// Incident channel names: "inc-20261122-ranker-latency". Slack allows lowercase
// letters, digits, "-" and "_", at most 80 characters; a taken name gets "-2", "-3".
const MAX = 80;

export const DEFAULT_CHANNEL_TEMPLATE = 'inc-{date}-{slug}';

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
}

export function incidentChannelName(template: string, vars: { at: Date; subject: string; id: number }, attempt = 1): string {
  const date = vars.at.toISOString().slice(0, 10).replace(/-/g, '');
  const slug = slugify(vars.subject) || `incident-${vars.id}`;
  let name = template.replace('{date}', date).replace('{slug}', slug).replace('{id}', String(vars.id));
  name = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
  const suffix = attempt > 1 ? `-${attempt}` : '';
  return name.slice(0, MAX - suffix.length).replace(/-+$/, '') + suffix;
}
