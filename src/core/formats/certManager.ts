/**
 * cert-manager in Kubernetes YAML: the annotations it puts on the Secrets it manages, and its
 * `Certificate` manifests (cert-manager.io/v1), read from one YAML document's text. Only the few
 * fields renewal needs are read, by indentation, without a YAML parser.
 */
import type { CertManagerCertificate, CertManagerRef, Range } from '../model';

const ANNOTATION = /^[ \t]+["']?cert-manager\.io\/(certificate-name|issuer-name|issuer-kind)["']?[ \t]*:[ \t]*["']?([^\s"'#]+)/gm;

/** The cert-manager annotations of a Secret document, when it names its Certificate. */
export function certManagerRefOf(doc: string): CertManagerRef | undefined {
  if (!doc.includes('cert-manager.io/certificate-name')) return undefined;
  const found: Record<string, string> = {};
  ANNOTATION.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ANNOTATION.exec(doc))) found[m[1]] ??= m[2];
  if (!found['certificate-name']) return undefined;
  const ref: CertManagerRef = { certificateName: found['certificate-name'] };
  const namespace = childValue(topLevelBlock(doc, 'metadata'), 'namespace');
  if (namespace) ref.namespace = namespace;
  if (found['issuer-name']) ref.issuerName = found['issuer-name'];
  if (found['issuer-kind']) ref.issuerKind = found['issuer-kind'];
  return ref;
}

/** A cert-manager `Certificate` manifest in one YAML document, or undefined when it is not one. */
export function certificateManifestOf(doc: string, file: string, range: Range): CertManagerCertificate | undefined {
  if (!/^apiVersion:[ \t]*["']?cert-manager\.io\//m.test(doc) || !/^kind:[ \t]*["']?Certificate["']?[ \t]*(#.*)?$/m.test(doc))
    return undefined;
  const metadata = topLevelBlock(doc, 'metadata');
  const name = childValue(metadata, 'name');
  if (!name) return undefined;
  const manifest: CertManagerCertificate = { file, range, name };
  const namespace = childValue(metadata, 'namespace');
  if (namespace) manifest.namespace = namespace;
  const spec = topLevelBlock(doc, 'spec');
  const secretName = childValue(spec, 'secretName');
  if (secretName) manifest.secretName = secretName;
  const duration = goDuration(childValue(spec, 'duration'));
  if (duration !== undefined) manifest.durationMs = duration;
  const renewBefore = goDuration(childValue(spec, 'renewBefore'));
  if (renewBefore !== undefined) manifest.renewBeforeMs = renewBefore;
  const percentage = Number(childValue(spec, 'renewBeforePercentage'));
  if (Number.isInteger(percentage) && percentage > 0 && percentage < 100) manifest.renewBeforePercentage = percentage;
  return manifest;
}

/** The lines indented under a top-level `key:` line (empty when there is none). */
function topLevelBlock(doc: string, key: string): string[] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^${key}:[ \\t]*(#.*)?\\r?$`).test(l));
  if (start === -1) return [];
  const block: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^\S/.test(line)) break;
    block.push(line);
  }
  return block;
}

/** The scalar value of `key` among a block's direct children (the least indented lines). */
function childValue(block: string[], key: string): string | undefined {
  let indent = Infinity;
  for (const l of block) {
    const m = /^([ \t]+)\S/.exec(l);
    if (m && !l.trimStart().startsWith('#')) indent = Math.min(indent, m[1].length);
  }
  const re = new RegExp(`^[ \\t]{${indent}}["']?${key}["']?[ \\t]*:[ \\t]*["']?([^\\s"'#]+)`);
  for (const l of block) {
    const m = re.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

const GO_UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** A Go duration (`2160h`, `720h0m0s`, `1h30m`) in ms; undefined when absent or malformed. */
export function goDuration(text: string | undefined): number | undefined {
  if (!text || !/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) ms += Number(m[1]) * GO_UNIT_MS[m[2]];
  return ms;
}
