// The layering rule (`npm run lint`, part of `npm test`): which folder may import which, and no
// import cycles, type-only imports included. ARCHITECTURE.md draws the same map.
//
// Core layers, lowest first: a module may import its own layer and the layers before it, never a
// later one. The editor (src/extension) and the CLI (src/cli) sit on top of the core and never
// import each other; the core never imports either (nor `vscode`).
const CORE_LAYERS = [
  ['base', '^src/core/(model|dates|redact|background|order|hostPort|context|owners|lastChange|deployment)\\.ts$'],
  ['x509', '^src/core/x509/'],
  ['formats', '^src/core/formats/'],
  ['renewal', '^src/core/renewal/'],
  ['rules', '^src/core/rules/'],
  ['findings', '^src/core/findings/'],
  ['teamConfig', '^src/core/teamConfig/'],
  ['report', '^src/core/report/'],
  ['hosts', '^src/core/hosts/'],
  ['scan', '^src/core/scan/'],
  ['workspace', '^src/core/workspace/'],
];

/** The `vscode` module, as resolved (its types) or not. */
const VSCODE = '^vscode$|node_modules/@types/vscode/';

const layerRules = CORE_LAYERS.slice(0, -1).map(([name, from], i) => ({
  name: `layer-${name}`,
  comment: `${name} is below ${CORE_LAYERS.slice(i + 1)
    .map(([n]) => n)
    .join(', ')}: it may not import them`,
  severity: 'error',
  from: { path: from },
  to: {
    path: CORE_LAYERS.slice(i + 1)
      .map(([, p]) => `(${p})`)
      .join('|'),
  },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'No import cycles, type-only imports included', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-in-a-layer',
      comment: 'Every core module belongs to a layer of CORE_LAYERS (add a new folder there)',
      severity: 'error',
      from: { path: '^src/core/', pathNot: CORE_LAYERS.map(([, p]) => `(${p})`).join('|') },
      to: {},
    },
    {
      name: 'core-is-vscode-free',
      comment: 'The core runs under plain Node (CLI, workers, unit tests): no vscode, no editor or CLI code',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: `^(src/extension/|src/cli/)|${VSCODE}` },
    },
    { name: 'editor-not-cli', severity: 'error', from: { path: '^src/extension/' }, to: { path: '^src/cli/' } },
    { name: 'cli-not-editor', severity: 'error', from: { path: '^src/cli/' }, to: { path: `^src/extension/|${VSCODE}` } },
    ...layerRules,
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|dist)/' },
  },
};
