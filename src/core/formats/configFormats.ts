/** Config formats: which files are configuration (YAML, JSON, TOML, INI, nginx, Apache...) and how their comments look; read by host discovery and by the readers of certificate paths in config values. */
import * as path from 'node:path';

/** Config formats host discovery reads. Source code and prose are never read: their links are not endpoints. */
export type ConfigFormat =
  'yaml' | 'json' | 'toml' | 'ini' | 'properties' | 'env' | 'hcl' | 'xml' | 'nginx' | 'apache' | 'haproxy' | 'caddy' | 'http';

/**
 * Files that describe how a project is built, packaged, tested or published, not what its software
 * connects to: their URLs are registries, homepages, download and documentation links.
 * - package manifests and lock files (npm, Composer, Cargo, Python, Go, Dart, Deno, NuGet, Bower,
 *   jsonnet-bundler's `jsonnetfile.json`, ESP-IDF's `idf_component.yml`, PlatformIO's `platformio.ini`: platforms and libraries fetched
 *   at build time; an Arduino library's `library.properties`: its homepage; an Arduino core's Boards
 *   Manager index `package_VENDOR_index.json`: toolchain downloads), Yarn's `.yarnrc.yml`
 *   (registry and plugin downloads), an Ansible collection's `galaxy.yml` (repository, homepage,
 *   issues), an Ansible role's `meta/main.yml` (its Galaxy metadata: issue tracker, dependencies),
 *   `requirements.yml` (the roles and collections ansible-galaxy installs; Helm 2's chart
 *   dependencies under the same name), Puppet's and Chef's module `metadata.json` (source, project
 *   page, issues; known by those keys, as the name is common), .NET Arcade's
 *   `eng/Version.Details.xml` (the repositories its dependencies flow from),
 *   Helm chart metadata (`Chart.yaml`: home, sources, maintainers, dependency repositories),
 *   `setup.cfg` (Python packaging metadata plus linter and test settings, never runtime config),
 *   MicroPython's board descriptions (`ports/PORT/boards/NAME/board.json`: the vendor's product page),
 *   software bills of materials (CycloneDX `bom.json`, `*.cdx.json`, SPDX `*.spdx.json`: each
 *   component's homepage and sources) and changelogs kept as data (versionbot's `CHANGELOG.yml`);
 * - build and release tools: the Maven and Gradle wrappers (where the build tool downloads itself),
 *   goreleaser, pre-commit, Renovate, Dependabot and Docker Buildx Bake's `docker-bake.hcl`
 *   (image tags and labels: registries and the project's links);
 * - Ant's `build.xml` (like Maven's pom.xml: repositories and downloads);
 * - CI pipelines and test runners (GitLab, Travis, Azure, AppVeyor, Drone, Bitbucket, CircleCI 1.0's
 *   `circle.yml`, Google Cloud Build's `cloudbuild*.yaml`, chart-testing, Codecov, Ansible's antsibull-nox): their
 *   URLs are tool downloads and the CI's own services; deployment targets also appear in the
 *   project's config, where they are found;
 * - linters, formatters, spell and link checkers, editor settings and repository metadata (see
 *   TOOL_CONFIG; OpenSSF's `SECURITY-INSIGHTS.yml`, Backstage's `catalog-info.yaml`, `publiccode.yml`,
 *   a GitHub Action's `action.yml`, tox/pytest/mypy ini files, SonarQube's project properties):
 *   their links are rule documentation, profiles and the tools' own services;
 * - documentation-site generators (MkDocs, Zensical, Read the Docs, Jekyll's `_config.yml`, mdBook's
 *   `book.toml`, DocFX's `docfx.json`) and repository metadata (CLOMonitor, Artifact Hub);
 * - Azure's `createUiDefinition.json`, the portal form of a managed application or Marketplace
 *   offer: its links are help shown to people; the deployed settings are in `mainTemplate.json`;
 * - HTTP responses saved as `.http` files (HAProxy's `errorfile`s, `errors/503.http`): the page a
 *   proxy serves, whose links are for the reader; REST-client `.http` files hold requests and are read.
 */
const SKIPPED_FILES = new Set([
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'composer.json',
  'composer.lock',
  'bower.json',
  '.bower.json',
  'cargo.toml',
  'cargo.lock',
  'pyproject.toml',
  'pipfile.lock',
  'poetry.lock',
  'pnpm-lock.yaml',
  'yarn.lock',
  'setup.cfg',
  'pom.xml',
  'build.xml',
  'tsconfig.json',
  'jsconfig.json',
  '.eslintrc.json',
  'deno.json',
  'deno.jsonc',
  'deno.lock',
  'import_map.json',
  'flake.lock',
  'gemfile.lock',
  'go.sum',
  'gopkg.toml',
  'gopkg.lock',
  'glide.yaml',
  'pubspec.yaml',
  'pubspec.lock',
  'packages.lock.json',
  'project.assets.json',
  'packages.config',
  'nuget.config',
  'vcpkg.json',
  'chart.yaml',
  'chart.lock',
  'requirements.lock',
  'maven-wrapper.properties',
  'gradle-wrapper.properties',
  '.goreleaser.yml',
  '.goreleaser.yaml',
  '.pre-commit-config.yaml',
  '.pre-commit-hooks.yaml',
  'renovate.json',
  'renovate.json5',
  '.renovaterc',
  '.renovaterc.json',
  'dependabot.yml',
  '.gitlab-ci.yml',
  '.travis.yml',
  'azure-pipelines.yml',
  'appveyor.yml',
  '.appveyor.yml',
  '.drone.yml',
  'bitbucket-pipelines.yml',
  'codecov.yml',
  '.codecov.yml',
  'ct.yaml',
  '.ct.yaml',
  'ct.yml',
  '.ct.yml',
  '.golangci.yml',
  '.golangci.yaml',
  '.yarnrc.yml',
  'idf_component.yml',
  'platformio.ini',
  'galaxy.yml',
  'requirements.yml',
  'requirements.yaml',
  'version.details.xml',
  'antsibull-nox.toml',
  'mkdocs.yml',
  'mkdocs.yaml',
  '.readthedocs.yml',
  '.readthedocs.yaml',
  '_config.yml',
  '.clomonitor.yml',
  'artifacthub-repo.yml',
  'createuidefinition.json',
  'jsonnetfile.json',
  'jsonnetfile.lock.json',
  'zensical.toml',
  'book.toml',
  'docker-bake.hcl',
  'docker-bake.override.hcl',
  'docker-bake.json',
  'docker-bake.override.json',
  'library.properties',
  'bom.json',
  'bom.xml',
  'changelog.yml',
  'changelog.yaml',
  'circle.yml',
  'docfx.json',
  'security-insights.yml',
  'security-insights.yaml',
  'catalog-info.yaml',
  'catalog-info.yml',
  'artifacthub-pkg.yml',
  'publiccode.yml',
  'publiccode.yaml',
  'codemeta.json',
  'action.yml',
  'action.yaml',
  'tox.ini',
  'pytest.ini',
  'mypy.ini',
  'lychee.toml',
  'typos.toml',
  '_typos.toml',
  'cspell.json',
  'cspell.yaml',
  'biome.json',
  'dprint.json',
  'lerna.json',
  'nx.json',
  'turbo.json',
  'release-please-config.json',
  'cliff.toml',
  'mlc_config.json',
  'osv-scanner.toml',
  'detekt.yml',
  'checkstyle.xml',
  'rustfmt.toml',
  'clippy.toml',
  'deny.toml',
  'rust-toolchain.toml',
  'devcontainer.json',
  'lefthook.yml',
  'lefthook.yaml',
  'aqua.yaml',
  'mise.toml',
  'sonar-project.properties',
  'stale.yml',
  // Funding and sponsorship manifests (FLOSS/fund's funding.json, Open Collective's package.oc.json).
  'funding.json',
  'package.oc.json',
  // A docs site's settings (the GOV.UK tech-docs gem): its host is where the docs are published.
  'tech-docs.yml',
  // Operator Lifecycle Manager bundle metadata: links, icons and the maintainer's site.
  'bundle.annotations.yaml',
  'bundle.csv.yaml',
  // README generators' sources (Cloud Posse's README.yaml): badges and links.
  'readme.yaml',
  'readme.yml',
]);
/**
 * Linter, formatter, editor and repository-metadata dotfiles, by name and any extension:
 * `.rubocop.yml`, `.eslintrc.yaml`, `.markdownlint-cli2.jsonc`, `.golangci.toml`, `.yamllint.yml`,
 * `.pre-commit-config.yaml`, `.editorconfig`, `.all-contributorsrc`, `.zenodo.json` … Their links are
 * rule documentation, style guides, profiles and tool downloads, never what the software connects to.
 */
const TOOL_CONFIG =
  /^\.(?:rubocop|eslintrc|stylelintrc|prettierrc|markdownlint|markdownlint-cli2|yamllint|hadolint|golangci|ansible-lint|mega-linter|megalinter|semgrep|spectral|commitlintrc|lintstagedrc|releaserc|swiftlint|remarkrc|textlintrc|jscpd|cspell|codespellrc|babelrc|gitleaks|trivy|checkov|kube-linter|all-contributorsrc|gitpod|mergify|coderabbit|zenodo|bumpversion|isort|coveragerc|flake8|pylintrc|vale|lychee|markdown-link-check|sonarcloud|snyk|release-please-manifest|versionrc|tflint|editorconfig|pre-commit-config|pre-commit-hooks|devcontainer|deepsource|lgtm|kodiak|pullapprove|whitesource|htmlhintrc|jshintrc|csslintrc|lefthook|mise|cz|scalafmt|clang-format|clang-tidy|stylua|ruff|rubocop_todo|goreleaser)(?:[._-][\w.-]*)?$/;
/** Software bills of materials by their registered suffixes: CycloneDX `*.cdx.json`, SPDX `*.spdx.json`. */
const SBOM_FILE = /\.(?:cdx|spdx)\.(?:json|xml|ya?ml)$|\.clusterserviceversion\.ya?ml$|\.(?:metainfo|appdata)\.xml$|\.sarif(?:\.json)?$/;
/**
 * The Arduino IDE's Boards Manager index of a core, `package_VENDOR_index.json` (and its
 * `.template.json`): where the IDE downloads the core and its toolchains.
 */
const ARDUINO_PACKAGE_INDEX = /^package_[\w.-]+_index(?:\.template)?\.json$/;
/** MicroPython's board descriptions, `boards/NAME/board.json` (a `board.json` elsewhere is read). */
const MICROPYTHON_BOARD = /[\\/]boards[\\/][^\\/]+[\\/]board\.json$/i;
/** Google Cloud Build's pipelines (`cloudbuild.yaml`, `cloudbuild_master.yaml`, `cloudbuild-pr.yml`). */
const CLOUD_BUILD = /^cloudbuild(?:[._-][\w.-]*)?\.(?:ya?ml|json)$/;
/** An Ansible role's Galaxy metadata. */
const ANSIBLE_ROLE_META = /(?:^|[\\/])meta[\\/]main\.ya?ml$/i;
/** Keys only Puppet's and Chef's module `metadata.json` have (Forge and Supermarket metadata). */
const MODULE_METADATA_KEY = /"(?:project_page|issues_url|source_url|operatingsystem_support)"\s*:/;
/** A saved HTTP response starts with its status line (`HTTP/1.0 503 Service Unavailable`). */
const HTTP_RESPONSE = /^\s*HTTP\/\d(?:\.\d)?[ \t]+\d{3}\b/;
/** JSON Schemas by name: `values.schema.json`, `json_output_schema.json`, `orders-schema.yaml` (defaults and examples, not settings). */
const SCHEMA_FILE = /(?:^|[._-])schema\.(?:json|ya?ml)$/;
/**
 * Folders of CI and repository-host metadata (workflows, issue templates) and dev container
 * definitions: never read, for the reason above. Editor folders (.vscode, .idea) are read: their
 * REST client environments and data sources name the endpoints developers use.
 */
const TOOLING_FOLDER =
  /(?:^|[\\/])\.(?:github|gitlab|gitlab-ci|circleci|buildkite|ci|devcontainer|woodpecker|forgejo|gitea|idea|fleet|zed)[\\/]/i;
/** `Caddyfile.go`, `caddyfile.md`: source and prose about Caddyfiles, not Caddyfiles. */
const NOT_CADDYFILE = /\.(?:go|md|txt|rs|js|ts|py|java|rb|html?|json|ya?ml|toml|sh)$/;

const BY_EXTENSION: Record<string, ConfigFormat> = {
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
  '.jsonc': 'json',
  '.json5': 'json',
  '.toml': 'toml',
  '.properties': 'properties',
  '.env': 'env',
  '.tf': 'hcl',
  '.tfvars': 'hcl',
  '.hcl': 'hcl',
  '.xml': 'xml',
  '.config': 'xml',
  '.http': 'http',
  '.rest': 'http',
  '.caddyfile': 'caddy',
};
const SNIFFED_EXTENSIONS = new Set(['.conf', '.cfg', '.cnf', '.ini', '.vhost', '.site']);

/**
 * Suffixes of templates and of defaults kept beside the real file: Jinja2 (Ansible's
 * `nginx.conf.j2`), Go templates (`values.yaml.tpl`, `helmfile.yaml.gotmpl`, `config.tmpl`), ERB,
 * envsubst (`nginx.conf.template`, the nginx image's templates), autoconf `.in`, and `.default`,
 * `.dist`, `.sample`, `.example`. Stripped to find the format underneath: `app.yml.default` is YAML,
 * `haproxy.cfg.j2` is HAProxy. Whether such a file is production (an example, a template a
 * deployment renders) is the file context's decision, not this one's.
 */
const TEMPLATE_SUFFIX = /\.(?:j2|jinja2?|tpl|gotmpl|tmpl|template|erb|default|dist|in|sample|example)$/;

/** The name without its template and default suffixes (`nginx.conf.j2` -> `nginx.conf`), lower case. */
function underlyingName(base: string): string {
  let name = base;
  for (let i = 0; i < 2 && TEMPLATE_SUFFIX.test(name); i++) {
    const stripped = name.replace(TEMPLATE_SUFFIX, '');
    // A dotfile that is only a suffix (`.example`) names nothing underneath.
    if (!stripped || stripped === '.') break;
    name = stripped;
  }
  return name;
}

/** Whether a file is a template or default that host discovery reads through its underlying format (`nginx.conf.j2`). */
export function isTemplateName(file: string): boolean {
  const base = path.basename(file).toLowerCase();
  return underlyingName(base) !== base;
}

/** Which config format a file is, by name first and by content for .conf-like files; undefined to skip it. */
export function configFormat(file: string, text: string): ConfigFormat | undefined {
  const byName = formatByName(file);
  const name = underlyingName(path.basename(file).toLowerCase());
  if (byName === 'json' && name === 'metadata.json' && MODULE_METADATA_KEY.test(text)) return undefined;
  if (byName === 'http' && HTTP_RESPONSE.test(text)) return undefined;
  if (byName !== 'sniff') return byName;
  return sniffServerConfig(text) ?? (path.extname(name) === '' ? undefined : 'ini');
}

/**
 * Whether host discovery may read this file, by its name alone (before reading it). With
 * `templates` false, a template or default (`nginx.conf.j2`, `app.yml.default`) is not taken for
 * its underlying format: what a broken PEM block in a config file means (parse-file.ts) stays as it
 * was for them.
 */
export function mayBeConfigFile(file: string, templates = true): boolean {
  return formatByName(file, templates) !== undefined;
}

function formatByName(file: string, templates = true): ConfigFormat | 'sniff' | undefined {
  const whole = path.basename(file).toLowerCase();
  const base = templates ? underlyingName(whole) : whole;
  if (
    SKIPPED_FILES.has(base) ||
    SKIPPED_FILES.has(whole) ||
    TOOL_CONFIG.test(base) ||
    SCHEMA_FILE.test(base) ||
    CLOUD_BUILD.test(base) ||
    SBOM_FILE.test(base) ||
    ARDUINO_PACKAGE_INDEX.test(base) ||
    MICROPYTHON_BOARD.test(file) ||
    base.endsWith('.lock') ||
    TOOLING_FOLDER.test(file) ||
    ANSIBLE_ROLE_META.test(file)
  )
    return undefined;
  if (base === 'caddyfile' || (base.startsWith('caddyfile.') && !NOT_CADDYFILE.test(base))) return 'caddy';
  if (base === '.env' || base.startsWith('.env.')) return 'env';
  const ext = path.extname(base);
  const known = BY_EXTENSION[ext];
  if (known) return known;
  const inServerDir = /[\\/](?:nginx|apache2?|httpd|haproxy|sites-(?:available|enabled)|conf\.d)[\\/]/i.test(file);
  // A template with nothing under its suffix (Ansible's `templates/vhost.j2`) is sniffed for a
  // server config, like an extensionless file in a server's folder; nothing else is read in it.
  return SNIFFED_EXTENSIONS.has(ext) || (ext === '' && (inServerDir || base !== whole)) ? 'sniff' : undefined;
}

function sniffServerConfig(text: string): ConfigFormat | undefined {
  if (/^[ \t]*(?:<VirtualHost\b|ServerName[ \t]|SSLEngine[ \t])/im.test(text)) return 'apache';
  if (/\bserver_name[ \t]|^[ \t]*(?:server|http|stream|events)[ \t]*\{/m.test(text)) return 'nginx';
  if (/^[ \t]*(?:frontend|backend|listen|defaults)\b/m.test(text) && /^[ \t]*(?:server|bind)[ \t]/m.test(text)) return 'haproxy';
  return undefined;
}

/** How comments look in a format. */
interface CommentStyle {
  /** '#' starts a comment at line start or after whitespace (outside quotes). */
  hash?: 'line-start' | 'after-space';
  /** ';' at line start (INI). */
  semicolon?: boolean;
  /** '!' at line start (Java properties). */
  bang?: boolean;
  /** '//' at line start only (.http files). */
  slashLineStart?: boolean;
  /** '//' and '/* *\/' anywhere outside strings (JSONC, HCL). */
  slashes?: boolean;
  xml?: boolean;
}

const STYLES: Record<ConfigFormat, CommentStyle> = {
  yaml: { hash: 'after-space' },
  toml: { hash: 'after-space' },
  env: { hash: 'after-space' },
  ini: { hash: 'line-start', semicolon: true },
  properties: { hash: 'line-start', bang: true },
  json: { slashes: true },
  hcl: { hash: 'after-space', slashes: true },
  xml: { xml: true },
  nginx: { hash: 'after-space' },
  apache: { hash: 'line-start' },
  haproxy: { hash: 'after-space' },
  caddy: { hash: 'after-space' },
  http: { hash: 'line-start', slashLineStart: true },
};

/**
 * The text with comments replaced by spaces (newlines kept), so offsets still match the original
 * and links in comments are not mistaken for endpoints.
 */
export function maskComments(text: string, format: ConfigFormat): string {
  // Helm and Go templates: {{/* … */}} is a comment, often a paragraph with reference links; also in
  // a config held in a template's block scalar (a ConfigMap's haproxy.cfg), read in its own format.
  if (text.includes('{{')) text = text.replace(TEMPLATE_COMMENT, blank);
  const style = STYLES[format];
  if (style.xml) return text.replace(/<!--[\s\S]*?(?:-->|$)/g, blank);
  if (style.slashes) return maskSlashComments(text, style.hash === 'after-space');
  const out: string[] = [];
  let from = 0;
  while (from <= text.length) {
    let end = text.indexOf('\n', from);
    if (end < 0) end = text.length;
    out.push(maskLine(text.slice(from, end), style));
    if (end < text.length) out.push('\n');
    from = end + 1;
  }
  return out.join('');
}

const TEMPLATE_COMMENT = /\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g;
/** Jinja2 `{# … #}` and ERB `<%# … %>` comments, blanked in templates only (`${#list[@]}` is shell, not a comment). */
const JINJA_ERB_COMMENT = /\{#[\s\S]*?#\}|<%#[\s\S]*?%>/g;

/** A template's text (see isTemplateName) with its Jinja2 and ERB comments blanked, offsets kept. */
export function maskTemplateComments(text: string): string {
  return text.includes('{#') || text.includes('<%#') ? text.replace(JINJA_ERB_COMMENT, blank) : text;
}

function blank(s: string): string {
  return s.replace(/[^\n]/g, ' ');
}

function maskLine(line: string, style: CommentStyle): string {
  const first = line.search(/\S/);
  if (first < 0) return line;
  const c = line[first];
  if (
    (c === '#' && style.hash) ||
    (c === ';' && style.semicolon) ||
    (c === '!' && style.bang) ||
    (style.slashLineStart && line.startsWith('//', first))
  ) {
    return line.slice(0, first) + ' '.repeat(line.length - first);
  }
  if (style.hash !== 'after-space' || line.indexOf('#', first) < 0) return line;
  let quote = '';
  for (let i = first; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      // A quote opens a string only at a token start (YAML, TOML, shell): "it's" is not one.
      if (i === 0 || /[\s:=,[{(]/.test(line[i - 1])) quote = ch;
    } else if (ch === '#' && /\s/.test(line[i - 1] ?? ' ')) {
      return line.slice(0, i) + ' '.repeat(line.length - i);
    }
  }
  return line;
}

function maskSlashComments(text: string, hash: boolean): string {
  if (!text.includes('//') && !text.includes('/*') && !(hash && text.includes('#'))) return text;
  const interesting = hash ? /["/#]/g : /["/]/g;
  const n = text.length;
  let out = '';
  let copied = 0;
  let i = 0;
  const blankTo = (end: number) => {
    out += text.slice(copied, i) + blank(text.slice(i, end));
    copied = i = end;
  };
  for (;;) {
    interesting.lastIndex = i;
    const m = interesting.exec(text);
    if (!m) break;
    i = m.index;
    const ch = text[i];
    if (ch === '"') {
      // Skip the string: the next quote not escaped by an odd run of backslashes.
      let j = text.indexOf('"', i + 1);
      while (j > 0) {
        let backslashes = 0;
        while (text[j - 1 - backslashes] === '\\') backslashes++;
        if (backslashes % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      i = j < 0 ? n : j + 1;
    } else if (ch === '#' || text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      blankTo(nl < 0 ? n : nl);
    } else if (text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      blankTo(close < 0 ? n : close + 2);
    } else {
      i++;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}
