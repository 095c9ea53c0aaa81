// Which model a workload serves, read from what platforms commonly stamp on it: a label or
// annotation named like `model-version`, the MODEL_VERSION env var, or the model's storage URI.
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON
type Json = Record<string, any>;

const VERSION_KEY = /(^|[/.])model[-_.]?version$/i;
const URI_ENV = /^(STORAGE_URI|MODEL_URI|MODEL_PATH|STORAGEURI)$/i;

/** The version in a URI such as gs://models/ranker/v42 or s3://m/ranker-v42/model.pt, else the URI. */
export function versionFromUri(uri: string): string {
  const match = uri.match(/(?:^|[/:_-])(v\d+(?:\.\d+)*)(?=$|[/._-])/i);
  return match ? match[1]! : uri;
}

export function modelVersionOf(meta: { labels?: Json; annotations?: Json } | undefined, containers: Json[] = []): string | undefined {
  for (const source of [meta?.labels, meta?.annotations]) {
    for (const [key, value] of Object.entries(source ?? {})) if (VERSION_KEY.test(key) && value) return String(value);
  }
  const env = containers.flatMap((c) => (Array.isArray(c?.env) ? c.env : []));
  const explicit = env.find((e: Json) => e?.name === 'MODEL_VERSION' && e.value);
  if (explicit) return String(explicit.value);
  const uri = env.find((e: Json) => URI_ENV.test(e?.name ?? '') && e.value);
  if (uri) return versionFromUri(String(uri.value));
  const appVersion = meta?.labels?.['app.kubernetes.io/version'];
  return appVersion ? String(appVersion) : undefined;
}

/** For a pod template. */
export function templateModelVersion(template: Json | undefined): string | undefined {
  return modelVersionOf(template?.metadata, template?.spec?.containers ?? []);
}

export function templateImages(template: Json | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c: Json) => `${c.name}=${c.image}`);
}

/** For a KServe predictor spec: storageUri of the model (or of a framework block), else container env. */
export function predictorModelVersion(predictor: Json | undefined, meta?: { labels?: Json; annotations?: Json }): string | undefined {
  const fromMeta = modelVersionOf(meta);
  if (fromMeta) return fromMeta;
  for (const value of Object.values(predictor ?? {})) {
    if (value && typeof value === 'object' && typeof (value as Json).storageUri === 'string') return versionFromUri((value as Json).storageUri);
  }
  return modelVersionOf(undefined, predictor?.containers ?? []);
}
