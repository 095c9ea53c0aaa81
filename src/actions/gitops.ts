// A rollback of an object that Argo CD or Flux manages is reverted at their next sync. Detect it
// from their labels/annotations and say what to do instead.
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON
type Meta = { labels?: Record<string, any>; annotations?: Record<string, any> } | undefined;

export function gitOpsWarning(meta: Meta): string | undefined {
  const labels = meta?.labels ?? {};
  const annotations = meta?.annotations ?? {};
  const argoApp =
    labels['argocd.argoproj.io/instance'] ??
    (annotations['argocd.argoproj.io/tracking-id'] ? String(annotations['argocd.argoproj.io/tracking-id']).split(':')[0] : undefined);
  if (argoApp) {
    return `Managed by Argo CD (application ${argoApp}): its next sync puts the current spec back. Revert the change in git, or disable auto-sync for ${argoApp} (argocd app set ${argoApp} --sync-policy none) until the revert lands.`;
  }
  const kustomization = labels['kustomize.toolkit.fluxcd.io/name'];
  const helmRelease = labels['helm.toolkit.fluxcd.io/name'];
  if (kustomization || helmRelease) {
    const [kind, name, ns] = kustomization
      ? ['kustomization', kustomization, labels['kustomize.toolkit.fluxcd.io/namespace']]
      : ['helmrelease', helmRelease, labels['helm.toolkit.fluxcd.io/namespace']];
    return `Managed by Flux (${kind} ${name}): its next reconciliation puts the current spec back. Revert the change in git, or suspend it (flux suspend ${kind} ${name}${ns ? ` -n ${ns}` : ''}) until the revert lands.`;
  }
  return undefined;
}
