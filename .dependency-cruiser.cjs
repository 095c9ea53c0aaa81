// Folder rules of src/ (DESIGN.md, "The shape we are moving to"), checked by `npm run lint`.
// Type-only imports count (tsPreCompilationDeps). Violations that existed when a rule was
// introduced are listed in .dependency-cruiser-known-violations.json and tolerated until they
// are fixed; any new one fails the lint. Regenerate the list only when removing entries:
//   npx depcruise src --config .dependency-cruiser.cjs --output-type baseline > .dependency-cruiser-known-violations.json
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment:
        'No cycles between folders of src/ (type-only imports count). The folders of the cycle that ' +
        'predates this rule (issue #13) are left out until it is broken (the known-violations list does not ' +
        'match folder cycles); a cycle through any other folder fails. src/console joined it when merged: it ' +
        'reads config through src/service, and src/app mounts it. src/incidents left it when the alert desk ' +
        'became channel-neutral (it imports nothing from src/slack any more).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/', pathNot: '^src/(actions|app|cli|console|demo|reports|service|slack)(/|$)' },
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
      name: 'adapters-never-import-app',
      comment: 'src/app wires the adapters; nothing but the CLI (the entry point) reaches back into it.',
      severity: 'error',
      from: { path: '^src/(?!app/|cli/)' },
      to: { path: '^src/app/' },
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
