import * as path from 'node:path';
import type { Evidence } from './context';

/**
 * Deployment evidence: production configuration that names a certificate file deploys it. A
 * Dockerfile's COPY, a compose volume, nginx's ssl_certificate, a JVM's -Djavax.net.ssl.keyStore, an
 * Ansible copy's src, Terraform's file(): each writes the file's path. Evidence outweighs what a
 * file's folder or its certificates' names suggest (context.ts), and the context reason says by what.
 */

/** A certificate file's path as a file writes it, and where (0-based line). */
export interface Mention {
  written: string;
  line: number;
}

/** Why a certificate file counts as deployed: the file and line that name it. */
export interface DeploymentEvidence {
  file: string;
  line: number;
  /**
   * `path`: the written path resolves to the certificate file (beside the naming file, from one of
   * its folders as a build context, a role's files/ or a chart's root): enough to make any file
   * production. `name`: only the file name matches (a path on the target host, behind a variable):
   * enough to keep a production-path file production against its certificates' development names.
   */
  strength: 'path' | 'name';
}

/**
 * A certificate or keystore file's extension where a path ends (in one case: `ssl.keyStore` is a
 * property, not a file); the path is read backwards from it (PATH_CHAR), which is cheaper than a
 * pattern that must try every position of a large file.
 */
const CERTIFICATE_EXTENSION =
  /\.(?:pem|crt|cer|der|p12|pfx|jks|jceks|bks|keystore|truststore|ks|ts|p7b|p7c|PEM|CRT|CER|DER|P12|PFX|JKS)(?![\w.])/g;
const PATH_CHAR = /[\w.%${}@~+/\\:-]/;
/** Files that configure a deployment (never scripts that set up a developer's machine, never prose). */
const DEPLOYMENT_FILE =
  /(?:^|[\\/])(?:dockerfile[^\\/]*|[^\\/]*\.dockerfile|containerfile|[^\\/]*\.(?:conf|cfg|cnf|ini|properties|xml|ya?ml|json|toml|tf|hcl|env|service|j2|jinja2|tpl|gotmpl|erb)|\.env(?:\.[^\\/]*)?)$/i;

/** Whether a file's text can be deployment evidence. */
export function mayDeploy(file: string): boolean {
  return DEPLOYMENT_FILE.test(file);
}

/** The certificate file paths a text names, each with its line; at most `limit` (generated files name thousands). */
export function mentionsIn(text: string, limit = 200): Mention[] {
  const out: Mention[] = [];
  CERTIFICATE_EXTENSION.lastIndex = 0;
  let line = 0;
  let lineStart = 0;
  for (let m = CERTIFICATE_EXTENSION.exec(text); m && out.length < limit; m = CERTIFICATE_EXTENSION.exec(text)) {
    let from = m.index;
    while (from > 0 && PATH_CHAR.test(text[from - 1])) from--;
    const found = text.slice(from, m.index + m[0].length);
    // A name before the extension: `.pem` alone is none.
    if (!/[\w-]\.[^.]+$/.test(found)) continue;
    // A URL names a download, not a file beside the config.
    if (found.includes('://')) continue;
    for (let nl = text.indexOf('\n', lineStart); nl !== -1 && nl < from; nl = text.indexOf('\n', lineStart)) {
      line++;
      lineStart = nl + 1;
    }
    // A key or option before the path (`keyStore=`, `--cert=`), and a scheme-like prefix (file:, classpath:), are dropped.
    const written = found.replace(/^[\w.-]*[=:](?=[\w.%${}~/\\])/, '').replace(/^(?:file|classpath):/i, '');
    out.push({ written, line });
  }
  return out;
}

/**
 * The evidence the workspace's production configuration gives: add each production config file's
 * mentions (`add`), then ask for a certificate file (`of`). Paths are absolute (or URI strings) with
 * '/' separators or the platform's; `roots` bound the folders tried as build contexts.
 */
export class EvidenceIndex {
  private readonly byPath = new Map<string, DeploymentEvidence>();
  private readonly byName = new Map<string, DeploymentEvidence>();
  private readonly sources = new Map<string, readonly Mention[]>();

  constructor(private readonly roots: readonly string[] = []) {}

  /** A production config file's mentions (replacing what it named before); an empty list forgets it. */
  set(file: string, mentions: readonly Mention[]): void {
    if (mentions.length) this.sources.set(file, mentions);
    else this.sources.delete(file);
    this.built = false;
  }

  /** The evidence for a certificate file: a path that resolves to it first, else one that names it. */
  of(certificateFile: string): DeploymentEvidence | undefined {
    this.build();
    return this.byPath.get(normal(certificateFile)) ?? this.byName.get(baseName(certificateFile));
  }

  /** The evidence for a file as a context takes it (contextOfFile): its strength, and the reason with the naming file as `display` shows it. */
  explain(file: string, display: (file: string) => string): Evidence | undefined {
    const e = this.of(file);
    return e && { strength: e.strength, reason: evidenceReason(e, display) };
  }

  /** A key that changes when the evidence may have (the editor re-evaluates then). */
  key(): string {
    this.build();
    return [...this.byPath.keys(), '|', ...this.byName.keys()].join('\n');
  }

  private built = false;

  private build(): void {
    if (this.built) return;
    this.built = true;
    this.byPath.clear();
    this.byName.clear();
    for (const [file, mentions] of [...this.sources].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      for (const m of mentions) {
        const evidence = { file, line: m.line };
        for (const target of candidates(file, m.written, this.roots))
          if (!this.byPath.has(target)) this.byPath.set(target, { ...evidence, strength: 'path' });
        const name = baseName(m.written);
        if (name && !this.byName.has(name)) this.byName.set(name, { ...evidence, strength: 'name' });
      }
    }
  }
}

/** Where a written path may point in the workspace, as the programs that read it resolve it. */
function candidates(file: string, written: string, roots: readonly string[]): string[] {
  let w = written.replace(/\\/g, '/').replace(/^["']|["']$/g, '');
  // Terraform's module and root folders, a compose file's or a script's own folder.
  w = w.replace(/^\$\{path\.(?:module|root|cwd)\}\//, '').replace(/^\.\//, '');
  if (/^(?:\/|~|[A-Za-z]:\/)/.test(w) || /[$%{}]/.test(w)) return [];
  const dir = normal(path.posix.dirname(normal(file)));
  const out = new Set<string>();
  // Beside the naming file, and from each folder above it up to a root: a Dockerfile's build
  // context may be the repository's root (docker build -f docker/Dockerfile .).
  const rootSet = roots.map(normal);
  for (let d = dir; ; d = path.posix.dirname(d)) {
    out.add(path.posix.join(d, w));
    if (rootSet.includes(d) || path.posix.dirname(d) === d) break;
  }
  // Ansible: a role's tasks and templates name files in the role's files/ (and templates/).
  const role = /^(.*\/roles\/[^/]+)\/(?:tasks|handlers|templates|defaults|vars|meta)(?:\/|$)/.exec(dir);
  if (role) for (const sub of ['files', 'templates']) out.add(path.posix.join(role[1], sub, w));
  // Helm: .Files.Get and the like are relative to the chart's root (the folder holding templates/).
  const chart = /^(.*)\/templates(?:\/|$)/.exec(dir);
  if (chart) out.add(path.posix.join(chart[1], w));
  return [...out];
}

function normal(p: string): string {
  return p.includes('\\') ? p.replace(/\\/g, '/') : p;
}

function baseName(p: string): string {
  const n = normal(p);
  return n.slice(n.lastIndexOf('/') + 1).toLowerCase();
}

/** The reason a context gives for evidence, with the naming file as `display` shows it. */
function evidenceReason(e: DeploymentEvidence, display: (file: string) => string): string {
  return `${e.strength === 'path' ? 'deployed by' : 'named by'} ${display(e.file)}:${e.line + 1}`;
}
