// Builds the extension and CLI bundles (dist/) and, with --tests, transpiles src/ and test/ to out/ for mocha.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

/** Reports build results in the format VS Code's problem matchers understand. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onEnd((result) => {
      for (const { text, location } of [...result.errors, ...result.warnings]) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
    });
  },
};

/**
 * Large libraries most runs never need are files of their own, loaded on first use (each module
 * requires them where it needs them): inside a bundle, they were parsed by every process and worker
 * that started. node-forge (PKCS#7, PKCS#12) is dist/forge.js, tldts (the public-suffix list, host
 * checks) dist/tldts.js, yaml (a team config) dist/yaml.js.
 */
const APART = { 'node-forge': 'forge', tldts: 'tldts', yaml: 'yaml' };
const forgeApart = {
  name: 'libraries-apart',
  setup(build) {
    build.onResolve({ filter: /^(?:node-forge|tldts|yaml)$/ }, (args) => ({ path: `./${APART[args.path]}.js`, external: true }));
  },
};

/**
 * The web bundle's seams: each Node module the core and the editor import becomes a module of
 * src/web/shims (pure code, or a function that says it is not available on the web). An import of a
 * Node module with no seam fails the build, so nothing Node-only slips into the browser bundle.
 */
const WEB_SHIMS = {
  path: 'src/web/shims/path.ts',
  crypto: 'src/web/shims/crypto.ts',
  net: 'src/web/shims/net.ts',
  tls: 'src/web/shims/tls.ts',
  fs: 'src/web/shims/unavailable.ts',
  os: 'src/web/shims/unavailable.ts',
  url: 'src/web/shims/unavailable.ts',
  child_process: 'src/web/shims/unavailable.ts',
  worker_threads: 'src/web/shims/unavailable.ts',
};
const webShims = {
  name: 'web-shims',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (WEB_SHIMS[name]) return { path: path.resolve(__dirname, WEB_SHIMS[name]) };
      if (args.path.startsWith('node:')) return { errors: [{ text: `${args.path} has no web seam (esbuild.js WEB_SHIMS)` }] };
      return undefined;
    });
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  // ESM builds first: jsonc-parser's UMD build requires its own files at run time, which a bundle cannot.
  mainFields: ['module', 'main'],
  target: 'node20',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcher, forgeApart],
  define: { CERTLENS_VERSION: JSON.stringify(require('./package.json').version) },
};

/** The web build's settings: a browser bundle with the seams and the globals of src/web/shims. */
const web = {
  ...common,
  platform: 'browser',
  mainFields: ['browser', 'module', 'main'],
  target: 'es2022',
  plugins: [problemMatcher, webShims],
  inject: ['src/web/shims/globals.ts'],
};

function listTs(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

async function main() {
  const builds = [
    { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
    { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
    { ...common, entryPoints: ['src/core/scan/readWorker.ts'], outfile: 'dist/readWorker.js' },
    ...Object.entries(APART).map(([pkg, name]) => ({
      ...common,
      entryPoints: [require.resolve(pkg)],
      outfile: `dist/${name}.js`,
      plugins: [problemMatcher],
    })),
    // One bundle for a Web Worker (vscode.dev, github.dev): node-forge inside it, Node modules replaced by seams.
    { ...web, entryPoints: ['src/web/extension.ts'], outfile: 'dist/web/extension.js', external: ['vscode'] },
  ];
  if (tests) {
    // Start from an empty out/ so deleted tests do not linger as compiled files.
    fs.rmSync('out', { recursive: true, force: true });
    // Unbundled transpile keeps one module per file so mocha and the extension host load tests by path.
    builds.push({
      entryPoints: [...listTs('src'), ...listTs('test')],
      outdir: 'out',
      outbase: '.',
      bundle: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      logLevel: 'warning',
      plugins: [problemMatcher],
    });
    // The parse engine bundled as dist/ ships it (no per-call module getters), for the throughput bench.
    builds.push({ ...common, entryPoints: ['src/core/formats/parse-file.ts'], outfile: 'out/bench/engine.js', plugins: [problemMatcher] });
    // The same engine as the web build has it (seams in place of Node's modules), for test/unit/web.test.ts.
    builds.push({ ...web, entryPoints: ['src/core/formats/parse-file.ts'], outfile: 'out/web/engine.js' });
  }
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('[watch] build started');
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
