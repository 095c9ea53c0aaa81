// Folder rules of src/ (DESIGN.md, "The shape we are moving to"), checked by `npm run lint`.
// Type-only imports count (tsPreCompilationDeps). Violations that existed when a rule was
// introduced are listed in .dependency-cruiser-known-violations.json and tolerated until they
// are fixed; any new one fails the lint. Regenerate the list only when removing entries:
//   npx depcruise src --config .dependency-cruiser.cjs --output-type baseline > .dependency-cruiser-known-violations.json

// Layers of src/, lowest first (DESIGN.md, issue #13): a folder imports lower layers and, where
// `peers` says so, the other folders of its own layer; never a higher layer. A folder missing here
// fails the lint until it is given a layer.
const LAYERS = [
  { folders: ['domain'] },
  { folders: ['lifecycle'] },
  // The core and the adapters beneath the incidents: they may use each other (no cycles, see below).
  { folders: ['spec', 'evaluator', 'alerting', 'sources', 'store', 'notify', 'authz', 'secrets', 'concurrency', 'generate', 'backtest'], peers: true },
  { folders: ['incidents'] },
  { folders: ['actions'] },
  // Scheduler, HTTP, config, and the ServiceContext every adapter plugs into (src/service/service-context.ts).
  { folders: ['service'] },
  // Adapters that do not know each other.
  { folders: ['reports', 'console', 'gate'] },
  // The Slack adapter renders the others' records in Slack (the weekly report, the gate's freeze overrides).
  { folders: ['slack'] },
  // The one wiring place: builds every adapter and hands them their ports.
  { folders: ['app'] },
  { folders: ['demo'] },
  { folders: ['cli'] },
];

const alternatives = (folders) => `^src/(${folders.join('|')})/`;
const LAYERED = LAYERS.flatMap((layer) => layer.folders);

const layerRules = LAYERS.flatMap((layer, i) => {
  const higher = LAYERS.slice(i + 1).flatMap((l) => l.folders);
  return layer.folders.flatMap((folder) => {
    const forbidden = [...(layer.peers ? [] : layer.folders.filter((f) => f !== folder)), ...higher];
    if (forbidden.length === 0) return [];
    return [
      {
        name: `layer-${folder}`,
        comment: `src/${folder} may not import a higher layer or a peer adapter: ${forbidden.join(', ')} (LAYERS in .dependency-cruiser.cjs).`,
        severity: 'error',
        from: { path: `^src/${folder}/` },
        to: { path: alternatives(forbidden) },
      },
    ];
  });
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'slack-never-imports-console',
      comment: 'Slack and the web console are both adapters: shared helpers (runbook links) live below them, in src/spec.',
      severity: 'error',
      from: { path: '^src/slack/' },
      to: { path: '^src/console/' },
    },
    {
      name: 'every-folder-has-a-layer',
      comment: 'A new top-level folder of src/ gets its place in LAYERS (.dependency-cruiser.cjs) before it imports anything of src/.',
      severity: 'error',
      from: { path: '^src/', pathNot: alternatives(LAYERED) },
      to: { path: '^src/' },
    },
    {
      name: 'only-layered-folders-are-imported',
      comment: 'A new top-level folder of src/ gets its place in LAYERS (.dependency-cruiser.cjs) before anything imports it.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: alternatives(LAYERED) },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'No cycles between folders of src/ (type-only imports count); the layer rules above already forbid every ' +
        'back edge between layers, this also covers the peers of one layer.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-imports-nothing',
      comment: 'src/domain is pure types and math: it imports no other folder of src/ and no package.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^(src/(?!domain/)|node_modules/)' },
    },
    {
      name: 'lifecycle-is-pure',
      comment: 'src/lifecycle decides without I/O: only src/domain and itself.',
      severity: 'error',
      from: { path: '^src/lifecycle/' },
      to: { path: '^(src/(?!lifecycle/|domain/)|node_modules/)' },
    },
    {
      name: 'slack-sdk-only-in-slack',
      comment: 'The Slack SDK (@slack/*) is used by the Slack adapter only.',
      severity: 'error',
      from: { path: '^src/(?!slack/)' },
      to: { path: '^node_modules/@slack/' },
    },
    {
      name: 'kubernetes-sdk-only-in-its-adapters',
      comment:
        'The Kubernetes client (@kubernetes/client-node) only in the files that talk to Kubernetes: the remediation ' +
        'actions, leader election and their wiring (names with kube, k8s, leader, actions or remediation; as ' +
        '/work/shared/tools/folder-graph.py checks).',
      severity: 'error',
      from: { path: '^src/', pathNot: '(kube|k8s|leader|actions|remediation)' },
      to: { path: '^node_modules/@kubernetes/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(\\.test\\.ts$|__fixtures__)' },
    tsPreCompilationDeps: true,
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
