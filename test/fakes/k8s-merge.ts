// Merge patch (RFC 7386) and an approximation of Kubernetes strategic merge patch, used by the fake
// API server. The strategic merge knows the patch-merge keys of the core types we touch (containers
// by name, env by name, ports by containerPort, volumes by name, ...). Lists without a known key are
// replaced, like a plain merge patch. Directives: `$patch: replace|delete` on maps and on list items,
// `$setElementOrder/*` and `$retainKeys` are accepted and ignored (order is kept as in the original).
type Json = unknown;
type JsonObject = Record<string, unknown>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** Patch-merge keys by field name, as in the Kubernetes API types (`patchMergeKey` tags). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

export function strategicMergePatch(target: Json, patch: Json, field = ''): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'delete') return undefined;
  if (patch['$patch'] === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys' || key.startsWith('$deleteFromPrimitiveList/')) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const mergeKey = MERGE_KEYS[key];
    if (Array.isArray(value) && mergeKey && Array.isArray(out[key])) {
      out[key] = mergeList(out[key] as Json[], value, mergeKey, key);
      continue;
    }
    const merged = strategicMergePatch(out[key], value, key);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  void field;
  return out;
}

function mergeList(current: Json[], patch: Json[], key: string, field: string): Json[] {
  const out = current.map((item) => structuredClone(item));
  for (const item of patch) {
    if (!isObject(item) || !(key in item)) {
      out.push(structuredClone(item));
      continue;
    }
    const index = out.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = strategicMergePatch(out[index], item, field);
    else out.push(strategicMergePatch(undefined, item, field));
  }
  return out;
}
