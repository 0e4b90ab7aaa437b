import * as path from 'node:path';
import picomatch from 'picomatch';
import type { CertificateRecord, Finding } from './model';

/**
 * What a file is for, from its path: certificates in tests, examples, docs and vendored code are
 * not the project's own, and their findings are hints unless the user says otherwise.
 */
export type FileContext = 'production' | 'test' | 'example' | 'documentation' | 'vendored';

export const FILE_CONTEXTS: readonly FileContext[] = ['production', 'test', 'example', 'documentation', 'vendored'];

/** User globs per context, over paths relative to the scanned folder ('/' separators). */
export interface ContextGlobs {
  production?: string[];
  test?: string[];
  example?: string[];
  documentation?: string[];
  vendored?: string[];
}

/** A file's context and why, in words a user can check ("its folder `testdata/` holds test data"). */
export interface ContextVerdict {
  context: FileContext;
  reason: string;
}

/**
 * The context of a file given by its path as the scan knows it (absolute in the CLI); `reason`, where
 * the classifier can say it, is why (the hover, the details, the JSON's `contextReason`).
 */
export interface ContextOf {
  (file: string): FileContext;
  reason?(file: string): string | undefined;
}

/** A ContextOf that always says why ('' for production by default). */
export interface ExplainedContextOf {
  (file: string): FileContext;
  reason(file: string): string;
}

/**
 * When a path matches several contexts, the first of these wins. Vendored code is someone else's
 * whatever it holds (vendor/x/test/ is vendored); a test is a test even among docs or examples
 * (docs/foo_test.go); an example inside the docs is an example (docs/examples/x.md): the most
 * specific purpose wins, and all of them are non-production anyway.
 */
const PRECEDENCE: readonly FileContext[] = ['vendored', 'test', 'example', 'documentation', 'production'];
const RANK: Record<FileContext, number> = { vendored: 4, test: 3, example: 2, documentation: 1, production: 0 };

/** Directory names, compared in lower case (.NET writes Tests/, Swift Tests/, Go testdata/). */
const DIRECTORY_CONTEXTS = new Map<string, FileContext>([
  ...[
    'test',
    'tests',
    '__tests__',
    'spec',
    'specs',
    'testdata',
    'test-data',
    'test_data',
    'fixtures',
    'fixture',
    '__fixtures__',
    // Ansible's test framework (a role's molecule/ scenarios), test stubs.
    'molecule',
    'stub',
    'stubs',
    // Snapshot tests' recorded outputs (go-snaps/cupaloy .snapshots/, Jest __snapshots__/).
    '.snapshots',
    '__snapshots__',
    'mocks',
    '__mocks__',
    'e2e',
    'androidtest',
    'integrationtest',
    'testfixtures',
    'integration',
    'integration-tests',
    'integration_tests',
    'testing',
    'acceptance',
    'bench',
    'benches',
    'benchmark',
    'benchmarks',
  ].map((d) => [d, 'test'] as const),
  ...['examples', 'example', 'samples', 'sample', 'demo', 'demos'].map((d) => [d, 'example'] as const),
  ...['docs', 'doc', 'documentation'].map((d) => [d, 'documentation'] as const),
  // Unix manual pages (DocBook or troff sources: mosquitto's and systemd's man/).
  ['man', 'documentation'],
  ...['vendor', 'third_party', 'third-party', 'external', 'node_modules', 'bower_components', 'site-packages'].map(
    (d) => [d, 'vendored'] as const,
  ),
  // CI services' own folders: workflows and the fixtures they use are not deployed.
  ...['.github', '.circleci', '.buildkite', '.gitlab', '.gitlab-ci'].map((d) => [d, 'test'] as const),
  // Vagrant's state of a local VM (its SSH key, synced folders).
  ['.vagrant', 'test'],
  // Fuzzing: a fuzzer's seed corpus and the inputs that crashed it (go-fuzz's corpus/ and crashers/).
  ...['corpus', 'crashers', 'fuzz', 'fuzzing', 'seed_corpus'].map((d) => [d, 'test'] as const),
  // Test suites run against a local stack (authelia's internal/suites/, Ginkgo's suites/).
  ['suites', 'test'],
  // CI: a Helm chart's ci/ values (chart-testing installs each), a repository's CI scripts and fixtures.
  ['ci', 'test'],
  // Development: Kubernetes-style hack/ scripts, a dev/ environment, a dev container.
  ...['hack', 'hacks', 'dev', 'devenv', 'localdev', 'local-dev', '.devcontainer'].map((d) => [d, 'test'] as const),
  // Getting-started material: a quickstart is an example to copy.
  ...['quickstart', 'quickstarts', 'quick-start', 'getting-started'].map((d) => [d, 'example'] as const),
]);

/** Why a directory name gives its context, when the context's own word does not say it. */
const DIRECTORY_KINDS = new Map<string, string>([
  ...['corpus', 'crashers', 'fuzz', 'fuzzing', 'seed_corpus'].map((d) => [d, 'fuzzing inputs'] as const),
  ...['.github', '.circleci', '.buildkite', '.gitlab', '.gitlab-ci', 'ci'].map((d) => [d, 'CI'] as const),
  ...['hack', 'hacks', 'dev', 'devenv', 'localdev', 'local-dev', '.devcontainer', '.vagrant'].map((d) => [d, 'local development'] as const),
  ['molecule', "Ansible's Molecule test scenarios"],
]);

/**
 * A copy made to be copied and edited (certs.example/, config/artifacts.example/, conf.sample/,
 * settings.dist/): the suffix says it is an example, whatever it holds.
 */
const EXAMPLE_SUFFIX = /[._-](?:example|examples|sample|samples|dist|template|tmpl)$/;

/**
 * A release unpacked into the tree, named NAME-MAJOR.MINOR.PATCH as its tarball: C projects' copies
 * of libraries (lib/nghttp2-1.65.0/, lib/c-ares-1.34.6/, deps/mbedtls-2.4.2/). Three numbers: a
 * spec's or API's version (amqp-1.0/, api-v2/) is not one.
 */
const UNPACKED_RELEASE = /^[a-z][a-z0-9_+]*(?:-[a-z][a-z0-9_+]*)*-v?\d+\.\d+\.\d+$/;

/**
 * Mbed TLS's test certificates (expired and SHA-1 on purpose), in copies of Mbed TLS that firmware
 * SDKs vendor: data_files/ of its test framework, the submodule `framework/` of every 3.6+ checkout
 * (ESP-IDF's components/mbedtls/mbedtls/, Zephyr's modules/crypto/mbedtls/), and 2.x's
 * `mbedtls/library/certs.c` ("X.509 test certificates" as C strings, in tests/src/ since 3.0;
 * nodemcu's app/mbedtls/). Each at the start of the path or after a '/': a data_files/ elsewhere
 * (Mbed TLS's own scripts/data_files/) and another library's library/certs.c are not tests.
 */
const MBEDTLS_TEST_PATHS = ['framework/data_files/', 'mbedtls/library/certs.c'];

function isMbedTlsTestPath(lower: string): boolean {
  return MBEDTLS_TEST_PATHS.some((p) => {
    const at = lower.indexOf(p);
    return at === 0 || (at > 0 && lower[at - 1] === '/');
  });
}

/** .NET test projects: MyApp.Tests/, MyApp.UnitTests/, MyApp.IntegrationTest/. */
const DOTNET_TEST_PROJECT = /\.(?:unit|integration|functional)?tests?$/;
/**
 * e2e_test/, api-tests/, Go's test-helper packages named after what they test (httptest/,
 * caddytest/), and a module of several words whose last word is test or tests
 * (spring-cloud-gateway-integration-tests/): api-latest/ ends in a word that is not one.
 */
const SUFFIXED_TEST_DIRECTORY = /^[a-z0-9]+[-_]?tests?$|^[a-z0-9]+(?:[-_][a-z0-9]+)*[-_](?:tests?|testing)$/;
/** English words that end in "test" (latest/ is a release, not a test). */
const WORDS_ENDING_IN_TEST = new Set([
  'latest',
  'contest',
  'attest',
  'protest',
  'detest',
  'greatest',
  'fastest',
  'shortest',
  'smartest',
  'softest',
  'hottest',
  'lightest',
  'brightest',
  'strictest',
  'quietest',
]);
/**
 * testcerts/, test-cert/, testutil/, testserver/: named for what they hold for tests, in one word
 * or several (Hyperledger's test-network/ and test-network-k8s/, test_helpers_v2/).
 */
const PREFIXED_TEST_DIRECTORY = /^tests?[-_]?[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
/**
 * An example named for what it shows, in words joined by '-' or '_': ssl-example/ (mailcow's sample
 * certificate for mail.example.org), nginx_examples/, example-app/, spring-boot-samples/, grpc-demo/.
 */
const NAMED_EXAMPLE_DIRECTORY = /^(?:[a-z0-9]+[-_])+(?:examples?|samples?|demos?)$|^(?:examples?|samples?|demos?)[-_][a-z0-9][a-z0-9_-]*$/;
/** English words that start with "test". */
const WORDS_STARTING_WITH_TEST = /^test(?:ament|imon|icle|osterone|y$|iness)/;

function directoryContext(dir: string, first: boolean): FileContext | undefined {
  const known = DIRECTORY_CONTEXTS.get(dir);
  if (known) return known;
  const last = dir.charCodeAt(dir.length - 1);
  if (last >= 0x30 && last <= 0x39 && UNPACKED_RELEASE.test(dir)) return 'vendored';
  // Perl's and Test::Nginx's test folder, at the top of a repository.
  if (first && dir === 't') return 'test';
  if ((dir.includes('-') || dir.includes('_')) && NAMED_EXAMPLE_DIRECTORY.test(dir)) return 'example';
  if (EXAMPLE_SUFFIX.test(dir)) return 'example';
  if (dir.startsWith('test') && PREFIXED_TEST_DIRECTORY.test(dir) && !WORDS_STARTING_WITH_TEST.test(dir)) return 'test';
  if (!dir.endsWith('test') && !dir.endsWith('tests') && !dir.endsWith('_testing') && !dir.endsWith('-testing')) return undefined;
  if (dir.includes('.')) return DOTNET_TEST_PROJECT.test(dir) ? 'test' : undefined;
  return SUFFIXED_TEST_DIRECTORY.test(dir) && !WORDS_ENDING_IN_TEST.has(dir.endsWith('s') ? dir.slice(0, -1) : dir) ? 'test' : undefined;
}

const TEST_FILE_SUFFIXES = ['_test.go', '_test.py', '_spec.rb', '_test.rb', '_test.exs', '_test.dart'];
/** JVM and .NET test classes, in their own case: FooTest.java, FooTests.cs, FooIT.java, FooSpec.scala. */
const TEST_CLASS = /(?:Tests?|Spec|[a-z0-9]IT)\.(?:java|kt|kts|scala|groovy|cs|fs|vb|swift)$/;
/** Markup of prose; `.pod` is Perl's (a module's README.pod, whose examples hold certificates as strings). */
const DOCUMENTATION_EXTENSIONS = new Set(['md', 'markdown', 'mdx', 'adoc', 'asciidoc', 'rst', 'pod']);
/**
 * dotenv files that Vite, Next.js, Create React App and dotenv-flow load only in development or test
 * mode (outline's `.env.development` names `https://local.outline.dev:3000`); production's settings
 * are in `.env`, `.env.local` and `.env.production`, which stay production.
 */
const DEVELOPMENT_DOTENV = /^\.env\.(?:development|test)(?:\.local)?$/;
/**
 * Settings of a Vagrant VM, a developer's local machine: the Puppet environment named for it
 * (govuk-puppet's `hieradata_aws/vagrant.yaml` and `vagrant_credentials.yaml`, with their snakeoil
 * and dev-domain certificates; apache's `hiera.vagrant.yaml`) and provisioning scripts
 * (`vagrant-linux-bootstrap.sh`). Only file names: a `vagrant/` module installs Vagrant on real hosts.
 */
const VAGRANT_FILE = /^vagrant[._-]|\.vagrant\./;

/**
 * Files made to be copied and edited before use: `config.yml.example`, `server.sample.crt`,
 * `parameters.yml.dist`, `app.example.env` (a suffix, or a middle part of the name).
 */
const EXAMPLE_FILE = /\.(?:example|sample|dist)(?:\.|$)|^(?:example|sample|demo)[._-]|[._-]demo\.[a-z0-9]+$/;
/**
 * API descriptions (OpenAPI, Swagger): their examples and patterns document payloads, a PEM among
 * them included; nothing deploys them as certificates.
 */
const API_DESCRIPTION = /^(?:openapi|swagger)(?:[._-][\w.-]*)?\.(?:ya?ml|json)$|\.(?:openapi|swagger)\.(?:ya?ml|json)$/;
/**
 * ASP.NET Core settings of an environment other than production (`appsettings.Development.json`,
 * `appsettings.QA.json`): loaded only when ASPNETCORE_ENVIRONMENT names it.
 */
const NON_PRODUCTION_APPSETTINGS = /^appsettings\.(?:development|dev|local|qa|test|testing)\.json$/;
/** Local-development data and settings (`*.localdev.yml` seed data, `docker-compose.dev.yml`, `settings.local-dev.json`). */
const DEVELOPMENT_FILE =
  /\.(?:localdev|local-dev|dev|development)\.[a-z0-9.]+$|[._-]localdev[._-]|^(?:dev|development|local)\.(?:ya?ml|json|toml|env)$/;

/** The context the file name alone gives (lower-cased name, and as written for class names). */
function contextOfName(lower: string, name: string): FileContext {
  const dot = lower.lastIndexOf('.');
  if (dot <= 0) return 'production';
  const ext = lower.slice(dot + 1);
  if (EXAMPLE_FILE.test(lower)) return 'example';
  if (API_DESCRIPTION.test(lower)) return 'documentation';
  if (DEVELOPMENT_FILE.test(lower) || NON_PRODUCTION_APPSETTINGS.test(lower)) return 'test';
  // foo.test.ts, foo.spec.js, cram/Perl foo.t, test_foo.py
  if (ext === 't' || lower.includes('.test.') || lower.includes('.spec.') || (ext === 'py' && lower.startsWith('test_'))) return 'test';
  if (lower.startsWith('.env.') && DEVELOPMENT_DOTENV.test(lower)) return 'test';
  if (lower.includes('vagrant') && VAGRANT_FILE.test(lower)) return 'test';
  for (const s of TEST_FILE_SUFFIXES) if (lower.endsWith(s)) return 'test';
  if (TEST_CLASS.test(name)) return 'test';
  return DOCUMENTATION_EXTENSIONS.has(ext) ? 'documentation' : 'production';
}

/** The context of a path by the conventions of the major ecosystems alone, and what decided it. */
function conventionalContext(relativePath: string): ContextVerdict {
  const lower = relativePath.toLowerCase();
  let best: FileContext = 'production';
  let bestDir = '';
  let start = 0;
  for (let slash = lower.indexOf('/'); slash !== -1; start = slash + 1, slash = lower.indexOf('/', start)) {
    if (slash === start) continue;
    const dir = lower.slice(start, slash);
    const found = directoryContext(dir, start === 0);
    if (found === 'vendored') return { context: found, reason: folderReason(relativePath.slice(start, slash), found) };
    if (found && RANK[found] > RANK[best]) {
      best = found;
      bestDir = relativePath.slice(start, slash);
    }
  }
  if (best === 'test') return { context: best, reason: folderReason(bestDir, best) };
  if (isMbedTlsTestPath(lower)) return { context: 'test', reason: "it is in Mbed TLS's test data" };
  const name = relativePath.slice(start);
  const byName = contextOfName(lower.slice(start), name);
  if (RANK[byName] > RANK[best]) return { context: byName, reason: `its name \`${name}\` marks ${CONTEXT_WORDS[byName]} file` };
  return best === 'production' ? { context: best, reason: '' } : { context: best, reason: folderReason(bestDir, best) };
}

const CONTEXT_WORDS: Record<FileContext, string> = {
  production: 'a production',
  test: 'a test',
  example: 'an example',
  documentation: 'a documentation',
  vendored: 'a vendored',
};

function folderReason(dir: string, context: FileContext): string {
  const kind = DIRECTORY_KINDS.get(dir.toLowerCase());
  return kind ? `its folder \`${dir}/\` holds ${kind}` : `its folder \`${dir}/\` marks ${CONTEXT_WORDS[context]} file`;
}

/**
 * Says which context a file is in, from its path relative to the scanned folder ('/' separators).
 * User globs are checked first (in the same precedence, so a user `test` glob beats a user
 * `production` one), and any match beats the conventions: a `production` glob for `examples/**`
 * makes a repository that deploys from examples/ count those as production.
 */
export class ContextClassifier {
  private readonly userGlobs: { context: FileContext; matches: picomatch.Matcher }[] = [];

  constructor(globs: ContextGlobs = {}) {
    for (const context of PRECEDENCE) {
      const list = globs[context]?.filter((g) => g.trim() !== '');
      if (list?.length) this.userGlobs.push({ context, matches: picomatch(list, { dot: true }) });
    }
  }

  classify(relativePath: string): FileContext {
    return this.explain(relativePath).context;
  }

  /** The context and why. */
  explain(relativePath: string): ContextVerdict {
    const rel = relativePath.includes('\\') ? relativePath.replace(/\\/g, '/') : relativePath;
    for (const g of this.userGlobs)
      if (g.matches(rel)) return { context: g.context, reason: `it matches a ${g.context} context glob you set` };
    return conventionalContext(rel);
  }
}

const conventions = new ContextClassifier();

/** The context of a path relative to the scanned folder, by the ecosystems' conventions only. */
export function classifyFile(relativePath: string): FileContext {
  return conventions.classify(relativePath);
}

/**
 * The context of files the scan names by full path: each is classified by its path relative to the
 * deepest of `folders` holding it (the scan roots, the workspace folders), else relative to
 * `fallback` (the working directory, for a file given on its own). Remembers each file's answer.
 */
export function contextByFolder(classifier: ContextClassifier, folders: readonly string[], fallback: string): ExplainedContextOf {
  const roots = folders.map((f) => slashes(f).replace(/\/+$/, '')).sort((a, b) => b.length - a.length);
  const known = new Map<string, ContextVerdict>();
  const verdict = (file: string): ContextVerdict => {
    let v = known.get(file);
    if (v === undefined) {
      const f = slashes(file);
      const root = roots.find((r) => f.startsWith(r + '/'));
      v = classifier.explain(root !== undefined ? f.slice(root.length + 1) : slashes(path.relative(fallback, file)));
      known.set(file, v);
    }
    return v;
  };
  const contextOf = (file: string) => verdict(file).context;
  contextOf.reason = (file: string) => verdict(file).reason;
  return contextOf;
}

/**
 * Names no deployed server answers to: localhost, the reserved test TLDs and example domains
 * (RFC 2606, 6761), mDNS's .local, loopback addresses.
 */
const DEVELOPMENT_NAME =
  /^(?:localhost|[^ ]*\.(?:localhost|test|example|invalid|local|localdomain)|(?:[^ ]*\.)?example\.(?:com|org|net))\.?$/i;
const LOOPBACK_IP = /^(?:127\.\d+\.\d+\.\d+|::1|0:0:0:0:0:0:0:1)$/;
/** Issuers and subjects that call themselves test or fake CAs ("Fake LE Intermediate X1", "Test CA", "snakeoil"). */
const TEST_AUTHORITY = /\b(?:test(?:ing)?|fake|dummy|snake ?oil|do not (?:use|trust)|insecure)\b/i;
/** Certificate sources that are a file of their own (not a value inside configuration, which ships what it holds). */
const STANDALONE_SOURCES = new Set(['pem', 'der', 'pkcs7', 'pkcs12', 'jks', 'jceks']);
/** Configuration files: a certificate in one is deployed with it (a chart's default values, a compose file). */
const CONFIGURATION_EXTENSION =
  /\.(?:ya?ml|json|toml|tf|tfvars|hcl|properties|env|conf|cfg|ini|xml|j2|jinja2|tpl|gotmpl|erb|service|nix)$/i;

/** Why a certificate looks made for development or tests, or undefined. */
function developmentSign(c: CertificateRecord): string | undefined {
  const names = [...c.sans.dns, ...(c.subjectCN && !c.sans.dns.length ? [c.subjectCN] : [])];
  const ips = c.sans.ip;
  if (names.length + ips.length > 0 && names.every((n) => DEVELOPMENT_NAME.test(n)) && ips.every((ip) => LOOPBACK_IP.test(ip)))
    return `it names only ${[...names, ...ips].slice(0, 3).join(', ')}`;
  for (const who of [c.issuerCN, c.subjectCN]) if (who && TEST_AUTHORITY.test(who)) return `"${who}" calls itself a test certificate`;
  return undefined;
}

/**
 * A production-by-path certificate file whose every certificate is made for development or tests
 * (localhost, example or .test names, a test CA): the file is a test file, said why. Certificates
 * inside configuration are left alone: the configuration deploys them.
 */
export function contentVerdict(file: string, certs: readonly CertificateRecord[]): ContextVerdict | undefined {
  if (!certs.length || CONFIGURATION_EXTENSION.test(file)) return undefined;
  let first: string | undefined;
  for (const c of certs) {
    if (!STANDALONE_SOURCES.has(c.source)) return undefined;
    const sign = developmentSign(c);
    if (!sign) return undefined;
    first ??= sign;
  }
  return { context: 'test', reason: `its certificate${certs.length > 1 ? 's are' : ' is'} for development: ${first}` };
}

/** Deployment evidence for a file as a context takes it (deployment.ts gives it): how strong, and the reason. */
export interface Evidence {
  strength: 'path' | 'name';
  reason: string;
}

/** Deployment evidence for a file, as withCertificateContent takes it. */
export type EvidenceOf = (file: string) => Evidence | undefined;

/**
 * A file's context from its path, its certificates' own word and deployment evidence: a file its
 * path calls production but whose certificates are all for development is a test file
 * (contentVerdict) unless production configuration names it; a file its path calls a test, example
 * or documentation file is production when production configuration names its path (deployed by a
 * Dockerfile COPY, a compose volume, a server's certificate path). Vendored files stay vendored.
 * The evidence's reason is given only where it changed the answer.
 */
export function contextOfFile(
  file: string,
  byPath: ContextVerdict,
  certificates: readonly CertificateRecord[] | undefined,
  evidence: ReturnType<EvidenceOf>,
): ContextVerdict {
  if (byPath.context !== 'production') {
    if (evidence?.strength === 'path' && byPath.context !== 'vendored')
      return { context: 'production', reason: `${evidence.reason}, though ${byPath.reason}` };
    return byPath;
  }
  const content = certificates && contentVerdict(file, certificates);
  if (!content) return byPath;
  return evidence ? { context: 'production', reason: `${evidence.reason}, though ${content.reason}` } : content;
}

/** `contextOf` with the certificates' own word and deployment evidence (contextOfFile). */
export function withCertificateContent(
  contextOf: ContextOf,
  certificatesOf: (file: string) => readonly CertificateRecord[] | undefined,
  evidenceOf?: EvidenceOf,
): ExplainedContextOf {
  const known = new Map<string, ContextVerdict>();
  const verdict = (file: string): ContextVerdict => {
    let v = known.get(file);
    if (v === undefined) {
      const byPath = { context: contextOf(file), reason: contextOf.reason?.(file) ?? '' };
      known.set(file, (v = contextOfFile(file, byPath, certificatesOf(file), evidenceOf?.(file))));
    }
    return v;
  };
  const explained = (file: string) => verdict(file).context;
  explained.reason = (file: string) => verdict(file).reason;
  return explained;
}

function slashes(p: string): string {
  return p.includes('\\') ? p.replace(/\\/g, '/') : p;
}

/**
 * What happens to findings about files outside production: `hint` lowers them to hints (code and
 * message kept), `normal` leaves them, `exclude` drops them. Certificates are never dropped: the
 * report still lists them ("nothing is hidden"); the editor's "hide" is `exclude`.
 */
export type NonProductionPolicy = 'hint' | 'normal' | 'exclude';

export const NON_PRODUCTION_POLICIES: readonly NonProductionPolicy[] = ['hint', 'normal', 'exclude'];

/** The findings as `policy` has them, given each finding's file context. Returns new objects for changed findings. */
export function applyNonProductionPolicy(findings: readonly Finding[], contextOf: ContextOf, policy: NonProductionPolicy): Finding[] {
  if (policy === 'normal') return [...findings];
  const out: Finding[] = [];
  for (const f of findings) {
    if (contextOf(f.file) === 'production') out.push(f);
    else if (policy === 'hint') out.push(f.severity === 'hint' ? f : { ...f, severity: 'hint' });
  }
  return out;
}
