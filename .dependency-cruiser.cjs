// The house plan's import direction, enforced (`npm run lint`, part of `npm test`):
//   renderer -> shared <- engine <- main / cli / server
// The folder says where code runs: shared runs anywhere, the engine in plain Node, the renderer in a
// browser; nothing imports upward, and the engine never imports Electron.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-imports-nothing-above',
      comment: 'src/shared is pure: usable by the engine, the renderer, the CLI and the server alike.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/(main|renderer|server|cli|preload)/' },
    },
    {
      name: 'renderer-only-shared',
      comment: 'The renderer talks to the engine through the API contract (window.api), never by import.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/(main|server|cli|preload)/' },
    },
    {
      name: 'engine-not-upward',
      comment: 'The engine is imported by the Electron shell, the CLI and the server, never the other way.',
      severity: 'error',
      from: { path: '^src/main/engine/' },
      to: { path: '^src/(renderer|server|cli|preload)/|^src/main/[^/]+$' },
    },
    {
      name: 'engine-never-electron',
      comment: 'Everything the product computes runs without Electron (CLI, server, tests).',
      severity: 'error',
      from: { path: '^src/main/engine/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'preload-only-shared',
      comment: 'The sandboxed preload exposes the contract; it imports no engine code.',
      severity: 'error',
      from: { path: '^src/preload/' },
      to: { path: '^src/(main|renderer|server|cli)/' },
    },
    {
      name: 'no-circular',
      comment:
        'Import cycles make the layers meaningless. An error since the last ones (autodiff shape rules, dicom tags, shared api <-> pacsApi) were untangled.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    exclude: { path: '\\.d\\.ts$' },
  },
};
