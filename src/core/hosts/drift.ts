import type { CertificateRecord, FileLocation, Finding, FindingCode, Severity } from '../model';
import { daysLeft, DEFAULT_RULES, isoDate, type RuleSettings, urgencyOf } from '../rules/rules';
import type { HostReference } from './discover';
import { hostPortKey } from './names';
import type { EndpointPair, PairingKind, SecretDeclaration } from './pairing';
import type { ChainMember, ProbeResult } from './tlsHandshake';

/**
 * Drift between the repository and the host: a certificate file paired with an endpoint (by the
 * configuration that serves it, or by the names in its SANs), compared with what the endpoint serves.
 */

/** How a repository certificate was paired with an endpoint: a configuration, or only the names in its SANs. */
export type PairingEvidence = PairingKind | 'san';

/** A repository certificate and an endpoint that should serve it. */
export interface ServedPair {
  certificate: CertificateRecord;
  host: string;
  port: number;
  /** Where the configuration names the host (first), and any other places naming the same pair. */
  references: FileLocation[];
  evidence: PairingEvidence;
  /** The configuration file that pairs them (absent for a SAN match). */
  configFile?: string;
}

/**
 *   same                  the host serves this very certificate
 *   renewed-not-deployed  same key and issuer, the served one is older: the renewal is not deployed
 *   repository-stale      same key and issuer, the served one is newer: the repository copy is stale
 *   other                 another key or issuer: a proxy, a wrong Secret, the wrong server
 */
export type DriftState = 'same' | 'renewed-not-deployed' | 'repository-stale' | 'other';

export interface DriftResult extends ServedPair {
  state: DriftState;
  served: ChainMember;
}

export const DRIFT_CODE: Record<Exclude<DriftState, 'same'>, FindingCode> = {
  'renewed-not-deployed': 'renewed-not-deployed',
  'repository-stale': 'repository-certificate-stale',
  other: 'host-serves-other-certificate',
};

/** What the certificates of the workspace look like to the join: by file, and whether a file is production. */
export interface CertificateIndex {
  /** Every file holding certificates. */
  files(): Iterable<string>;
  certificatesIn(file: string): readonly CertificateRecord[];
  isProduction(file: string): boolean;
}

/** The certificate a file serves: its first end-entity certificate (a fullchain file has it first). */
function servedLeaf(certs: readonly CertificateRecord[]): CertificateRecord | undefined {
  return certs.find((c) => !c.isCA) ?? undefined;
}

/** A certificate a TLS server could present: for serverAuth (or any, or no extended key usage), not a SAML or JWKS signing key. */
function servesTls(c: CertificateRecord): boolean {
  if (c.source === 'saml' || c.source === 'jwks') return false;
  const eku = c.extendedKeyUsage;
  return eku.length === 0 || eku.includes('serverAuth') || eku.includes('anyExtendedKeyUsage');
}

const SEPARATORS = /[\\/]/;

/**
 * The workspace file a configuration's path means. The path as resolved when it is in the
 * workspace; otherwise (a deployed path such as /etc/nginx/tls/site.crt) the one certificate file
 * sharing the most trailing path segments with it, at least its name: ambiguous names pair nothing.
 */
export function fileForPath(target: string, files: readonly string[]): string | undefined {
  if (files.includes(target)) return target;
  const want = target.split(SEPARATORS).reverse();
  let best: string | undefined;
  let bestScore = 0;
  let tie = false;
  for (const f of files) {
    const have = f.split(SEPARATORS).reverse();
    let score = 0;
    while (score < want.length && score < have.length && want[score] === have[score]) score++;
    if (score > bestScore) {
      best = f;
      bestScore = score;
      tie = false;
    } else if (score === bestScore && score > 0) {
      tie = true;
    }
  }
  return bestScore > 0 && !tie ? best : undefined;
}

/** Whether a certificate's DNS names cover a host (exactly, or by a wildcard for one label). */
export function coversHost(names: readonly string[], host: string): boolean {
  for (const raw of names) {
    const n = raw.toLowerCase().replace(/\.$/, '');
    if (n === host) return true;
    if (n.startsWith('*.') && host.endsWith(n.slice(1)) && !host.slice(0, -(n.length - 1)).includes('.')) return true;
  }
  return false;
}

/**
 * Pairs of repository certificates and endpoints. Configuration pairs first: a file path (exact,
 * else by its trailing segments), a Secret by name (its certificate in a Secret of that name in the
 * workspace; in the same namespace when both name one), Traefik's candidates only when their SANs
 * cover the host. Endpoints no configuration pairs are matched by SAN against production leaf
 * certificates (weaker evidence). Only production configuration and production certificates count.
 */
export function pairCertificates(
  pairs: readonly EndpointPair[],
  secrets: readonly SecretDeclaration[],
  hosts: readonly HostReference[],
  index: CertificateIndex,
): ServedPair[] {
  const certFiles = [...index.files()].filter((f) => index.isProduction(f));
  const byKey = new Map<string, ServedPair>();
  const add = (
    certificate: CertificateRecord,
    p: { host: string; port: number; file: string; range: FileLocation['range'] },
    evidence: PairingEvidence,
  ) => {
    const key = `${certificate.file}\0${certificate.index}\0${hostPortKey(p.host, p.port)}`;
    const existing = byKey.get(key);
    const at = { file: p.file, range: p.range };
    if (existing) {
      if (!existing.references.some((r) => sameLocation(r, at))) existing.references.push(at);
      return;
    }
    const pair: ServedPair = { certificate, host: p.host, port: p.port, references: [at], evidence };
    if (evidence !== 'san') pair.configFile = p.file;
    byKey.set(key, pair);
  };
  const paired = new Set<string>();
  for (const p of pairs) {
    if (!index.isProduction(p.file)) continue;
    let certificate: CertificateRecord | undefined;
    if (p.certificateFile) {
      const file = fileForPath(p.certificateFile, certFiles);
      certificate = file ? servedLeaf(index.certificatesIn(file)) : undefined;
      if (certificate && p.bySan && !coversHost(certificate.sans.dns, p.host)) continue;
    } else if (p.secretName) {
      certificate = secretCertificate(p, secrets, index);
    } else if (p.bySan) {
      // The server picks among certificates it is given elsewhere (Traefik labels): the production leaves whose names cover the host.
      const covering = certFiles
        .map((f) => servedLeaf(index.certificatesIn(f)))
        .filter((c): c is CertificateRecord => !!c && servesTls(c) && coversHost(c.sans.dns, p.host));
      for (const c of covering) add(c, p, p.via);
      if (covering.length) paired.add(hostPortKey(p.host, p.port));
      continue;
    }
    if (!certificate) continue;
    add(certificate, p, p.via);
    paired.add(hostPortKey(p.host, p.port));
  }
  // The weaker evidence: a production leaf whose names cover an endpoint nothing paired.
  const leaves = certFiles
    .map((f) => servedLeaf(index.certificatesIn(f)))
    .filter((c): c is CertificateRecord => !!c && !c.selfSigned && servesTls(c));
  for (const h of hosts) {
    if (paired.has(hostPortKey(h.host, h.port)) || !index.isProduction(h.file)) continue;
    for (const c of leaves) if (coversHost(c.sans.dns, h.host)) add(c, h, 'san');
  }
  return [...byKey.values()];
}

function sameLocation(a: FileLocation, b: FileLocation): boolean {
  return a.file === b.file && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
}

function secretCertificate(p: EndpointPair, secrets: readonly SecretDeclaration[], index: CertificateIndex): CertificateRecord | undefined {
  const named = secrets.filter((s) => s.name === p.secretName && index.isProduction(s.file));
  // The Secret beside the Ingress (same file, then same folder) when several share the name.
  const folder = (f: string) => f.replace(/[\\/][^\\/]*$/, '');
  const ordered = [
    ...named.filter((s) => s.file === p.file),
    ...named.filter((s) => s.file !== p.file && folder(s.file) === folder(p.file)),
  ];
  const candidates = ordered.length ? ordered : named.length === 1 ? named : [];
  for (const s of candidates) {
    const inSecret = index
      .certificatesIn(s.file)
      .filter((c) => c.source === 'k8s-secret' && c.range.start.line >= s.fromLine && c.range.start.line <= s.toLine);
    const leaf = servedLeaf(inSecret);
    if (leaf) return leaf;
  }
  return undefined;
}

/**
 * Compares a repository certificate with the leaf a host serves; undefined when it cannot tell (a
 * result cached before served keys were kept, or a certificate only OpenSSL could read).
 */
export function compareServed(file: CertificateRecord, served: ChainMember): DriftState | undefined {
  if (served.sha256 === file.sha256) return 'same';
  if (!served.spkiSha256) return undefined;
  if (served.spkiSha256 !== file.spkiSha256 || served.issuer !== file.issuer) return 'other';
  if (served.notBefore !== file.notBefore) return served.notBefore < file.notBefore ? 'renewed-not-deployed' : 'repository-stale';
  if (served.notAfter !== file.notAfter) return served.notAfter < file.notAfter ? 'renewed-not-deployed' : 'repository-stale';
  return 'other';
}

/** Each pair whose host answered, with what it serves. Pairs whose host has no result (not checked, unreachable) give nothing. */
export function driftResults(
  pairs: readonly ServedPair[],
  resultOf: (host: string, port: number) => ProbeResult | undefined,
): DriftResult[] {
  const out: DriftResult[] = [];
  for (const p of pairs) {
    const result = resultOf(p.host, p.port);
    const served = result && !result.error ? result.chain[0] : undefined;
    const state = served && compareServed(p.certificate, served);
    if (served && state) out.push({ ...p, state, served });
  }
  return out;
}

function fileName(file: string): string {
  return file.replace(/^.*[\\/]/, '');
}

function evidenceNote(r: ServedPair): string {
  return r.evidence === 'san'
    ? ' (paired by the names in its SANs only, weaker evidence than a configuration)'
    : ` (paired by the ${EVIDENCE_LABEL[r.evidence]} in ${fileName(r.configFile ?? '')})`;
}

const EVIDENCE_LABEL: Record<PairingKind, string> = {
  nginx: 'nginx server block',
  apache: 'Apache virtual host',
  haproxy: 'HAProxy frontend',
  caddy: 'Caddyfile site',
  ingress: 'Ingress tls entry',
  helm: 'Helm values tls entry',
  traefik: 'Traefik router (the certificate whose names cover the host)',
};

function who(m: { subject: string; subjectCN?: string }): string {
  return m.subjectCN ? `CN=${m.subjectCN}` : m.subject;
}

function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

/**
 * The findings of drift results: each at the repository certificate (the host's references related)
 * and at the host's first reference (the certificate related). Same certificates give none; an
 * ignored or snoozed repository certificate gives none.
 */
export function driftFindings(results: readonly DriftResult[], now: number, rules: RuleSettings = DEFAULT_RULES): Finding[] {
  const out: Finding[] = [];
  for (const r of results) {
    if (r.state === 'same') continue;
    const c = r.certificate;
    if (rules.ignore.has(c.sha256) || (rules.snoozed.get(c.sha256) ?? 0) > now) continue;
    const host = hostPortKey(r.host, r.port);
    const served = r.served;
    const code = DRIFT_CODE[r.state];
    const note = evidenceNote(r);
    let severity: Severity;
    let atCertificate: string;
    let atHost: string;
    const servedUntil = `${isoDate(served.notAfter)}, ${days(daysLeft(served.notAfter, now))} left`;
    switch (r.state) {
      case 'renewed-not-deployed': {
        const urgency = urgencyOf(served, now, rules);
        severity = urgency === 'critical' || urgency === 'expired' ? 'error' : 'warning';
        atCertificate = `Renewed in the repository, not deployed: ${host} still serves the previous certificate (same key, issued ${isoDate(served.notBefore)}, valid until ${servedUntil}); this file's was issued ${isoDate(c.notBefore)} and runs to ${isoDate(c.notAfter)}${note}`;
        atHost = `${host} serves an older certificate than ${fileName(c.file)} (renewed in the repository, not deployed): served until ${servedUntil}, the repository's until ${isoDate(c.notAfter)}${note}`;
        break;
      }
      case 'repository-stale':
        severity = 'info';
        atCertificate = `The repository copy is stale: ${host} serves a newer certificate (same key, issued ${isoDate(served.notBefore)}, valid until ${isoDate(served.notAfter)}); this file's was issued ${isoDate(c.notBefore)} and runs to ${isoDate(c.notAfter)}${note}`;
        atHost = `${host} serves a newer certificate than ${fileName(c.file)} (the repository copy is stale): served until ${isoDate(served.notAfter)}, the repository's until ${isoDate(c.notAfter)}${note}`;
        break;
      default: {
        // Names alone are weak evidence that this file is what the host should serve: a note, not a warning.
        severity = r.evidence === 'san' ? 'info' : 'warning';
        const sameNames = served.issuer === c.issuer && c.sans.dns.length > 0 && c.sans.dns.every((n) => served.dnsNames.includes(n));
        const hint = sameNames
          ? '; same names and issuer with another key: if this file is a renewal with a new key, it is not deployed'
          : '';
        const both = `served ${who(served)} issued by ${served.issuerCN ? `CN=${served.issuerCN}` : served.issuer} (SHA-256 ${served.sha256}), this file's ${who(c)} issued by ${c.issuerCN ? `CN=${c.issuerCN}` : c.issuer} (SHA-256 ${c.sha256})`;
        atCertificate = `${host} serves another certificate than this file: ${both}${hint}${note}`;
        atHost = `${host} serves another certificate than ${fileName(c.file)}: ${both}${hint}${note}`;
        break;
      }
    }
    const [first, ...others] = r.references;
    const certAt: FileLocation = { file: c.file, range: c.range };
    out.push({ file: c.file, range: c.range, severity, code, message: atCertificate, sha256: c.sha256, host, related: r.references });
    if (first)
      out.push({
        file: first.file,
        range: first.range,
        severity,
        code,
        message: atHost,
        sha256: c.sha256,
        host,
        related: [certAt, ...others],
      });
  }
  return out;
}
