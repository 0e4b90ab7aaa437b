import * as path from 'node:path';
import type { CertificateJson, Report } from './schema';
import { DRIFT_CODES, UNREAD_CODES } from './findingCodes';

/**
 * The report as Prometheus metrics (text exposition format 0.0.4, what node_exporter's textfile
 * collector and the Pushgateway read), with the names, types and labels of
 * enix/x509-certificate-exporter v4 (docs/metrics.md) so its dashboards and alert rules work:
 *
 *   x509_cert_not_before / x509_cert_not_after   Unix seconds
 *   x509_cert_expired                            1 when expired at the report's time, else 0
 *   labels: filepath, subject_CN/O/OU/C/ST/L, issuer_CN/O/OU/C/ST/L, serial_number (decimal)
 *
 *   x509_crl_this_update / x509_crl_next_update  Unix seconds (next_update only when the CRL names one)
 *   x509_crl_number                              the cRLNumber extension (only when present)
 *   x509_crl_stale                               1 when past nextUpdate at the report's time, else 0
 *   labels: filepath, issuer_*, crl_number (decimal)
 *
 *   x509_source_up / x509_source_bundles         {source_kind="file", source_name}: 1, and the files
 *                                                holding certificates or CRLs
 *   x509_source_errors_total{reason}             counter: the certificates or files this scan could
 *                                                not read, by v4 reason code (only reasons that occurred)
 *
 * A scan is one short-lived source: its counter starts at zero and ends at what the scan found, so
 * alert on its value (`> 0`), not on increase(). v4 removed x509_read_errors (its migration guide
 * keeps no alias). Certificate and CRL series also carry `owner` (CODEOWNERS, comma-separated; empty
 * when unowned), `context` (production, test, example, documentation, vendored) and `repository` (an
 * option); certlens_read_errors{filepath,owner,context} is CertLens's own per-file detail. Hosts
 * follow blackbox_exporter: probe_ssl_earliest_cert_expiry{instance="host:port"} and probe_success.
 * Drift (a certificate and the endpoint that should serve it differ) is certlens_host_drift
 * {filepath (the certificate's), instance, drift (the finding code), owner, context} 1, one per
 * certificate and endpoint.
 */
export interface MetricsOptions {
  /** The `repository` label on every series (omitted when empty). */
  repository?: string;
  /** `filepath` is relative to this folder when the file is inside it ('/' separators). */
  relativeTo?: string;
  /** `source_name` of the x509_source_* series: by default the repository, else "certlens". */
  sourceName?: string;
}

/**
 * x509-certificate-exporter v4's `reason` codes (docs/metrics.md, "Reason codes") for CertLens's
 * read-error and locked findings. Malformed encodings are bad_pem (v4 has no DER or PKCS#7 code),
 * damaged keystores bad_pkcs12, a missing or wrong password bad_passphrase, I/O and limits read_failed.
 */
export const SOURCE_ERROR_REASONS: Readonly<Record<string, string>> = {
  'invalid-certificate': 'bad_pem',
  'invalid-base64': 'bad_pem',
  'invalid-date': 'bad_pem',
  'pem-unterminated': 'bad_pem',
  'pkcs7-invalid': 'bad_pem',
  'invalid-crl': 'bad_pem',
  'pkcs12-invalid': 'bad_pkcs12',
  'keystore-invalid': 'bad_pkcs12',
  'pkcs12-locked': 'bad_passphrase',
  'pkcs12-wrong-password': 'bad_passphrase',
  'keystore-wrong-password': 'bad_passphrase',
  'read-error': 'read_failed',
  'file-too-large': 'read_failed',
  'too-many-certificates': 'read_failed',
};

/** Finding codes for a certificate or file that could not be read or opened: the read-error and locked categories. */
export const READ_ERROR_CODES: ReadonlySet<string> = UNREAD_CODES;

/** The DN attributes x509-certificate-exporter turns into labels. */
const NAME_ATTRIBUTES = ['C', 'ST', 'L', 'O', 'OU', 'CN'] as const;

type Labels = [name: string, value: string][];

export function toMetrics(report: Report, options: MetricsOptions = {}): string {
  const common: Labels = options.repository ? [['repository', options.repository]] : [];
  const filepath = (file: string) => {
    const rel = options.relativeTo ? path.relative(options.relativeTo, file) : '';
    return (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file).split(path.sep).join('/');
  };
  const nowSeconds = Date.parse(report.now) / 1000;
  const families: { name: string; help: string; type?: 'counter'; samples: string[] }[] = [
    { name: 'x509_cert_not_before', help: "Start of the certificate's validity (Unix seconds)", samples: [] },
    { name: 'x509_cert_not_after', help: "End of the certificate's validity (Unix seconds)", samples: [] },
    { name: 'x509_cert_expired', help: '1 when the certificate has expired at the time of the scan, else 0', samples: [] },
  ];
  const seen = new Set<string>();
  for (const c of report.certificates) {
    const labels = labelText([
      ...common,
      ['filepath', filepath(c.file)],
      ...nameLabels('subject', c.subject),
      ...nameLabels('issuer', c.issuer),
      ['serial_number', decimalSerial(c.serial)],
      ['owner', ownerValue(c.owners)],
      ['context', c.context],
    ]);
    // The same certificate twice in one file would be the same series twice.
    if (seen.has(labels)) continue;
    seen.add(labels);
    const notAfter = seconds(c.notAfter);
    families[0].samples.push(`x509_cert_not_before${labels} ${seconds(c.notBefore)}`);
    families[1].samples.push(`x509_cert_not_after${labels} ${notAfter}`);
    families[2].samples.push(`x509_cert_expired${labels} ${notAfter <= nowSeconds ? 1 : 0}`);
  }

  const crlFamilies = {
    thisUpdate: { name: 'x509_crl_this_update', help: "The CRL's thisUpdate (Unix seconds)", samples: [] as string[] },
    nextUpdate: { name: 'x509_crl_next_update', help: "The CRL's nextUpdate, when it goes stale (Unix seconds)", samples: [] as string[] },
    number: { name: 'x509_crl_number', help: "The CRL's cRLNumber extension", samples: [] as string[] },
    stale: {
      name: 'x509_crl_stale',
      help: '1 when the CRL is past its nextUpdate at the time of the scan, else 0',
      samples: [] as string[],
    },
  };
  const crlSeen = new Set<string>();
  for (const crl of report.crls) {
    const crlNumber = crl.crlNumber && /^[0-9a-f]+$/i.test(crl.crlNumber) ? BigInt(`0x${crl.crlNumber}`) : undefined;
    const labels = labelText([
      ...common,
      ['filepath', filepath(crl.file)],
      ...nameLabels('issuer', crl.issuer),
      ['crl_number', crlNumber === undefined ? '' : crlNumber.toString(10)],
      ['context', crl.context],
    ]);
    if (crlSeen.has(labels)) continue;
    crlSeen.add(labels);
    crlFamilies.thisUpdate.samples.push(`x509_crl_this_update${labels} ${seconds(crl.thisUpdate)}`);
    const nextUpdate = crl.nextUpdate === null ? undefined : seconds(crl.nextUpdate);
    if (nextUpdate !== undefined) crlFamilies.nextUpdate.samples.push(`x509_crl_next_update${labels} ${nextUpdate}`);
    if (crlNumber !== undefined) crlFamilies.number.samples.push(`x509_crl_number${labels} ${Number(crlNumber)}`);
    crlFamilies.stale.samples.push(`x509_crl_stale${labels} ${nextUpdate !== undefined && nextUpdate <= nowSeconds ? 1 : 0}`);
  }
  families.push(crlFamilies.nextUpdate, crlFamilies.thisUpdate, crlFamilies.number, crlFamilies.stale);

  const readErrors = new Map<string, { labels: string; count: number }>();
  const reasons = new Map<string, number>();
  for (const f of report.findings) {
    if (!READ_ERROR_CODES.has(f.code)) continue;
    const labels = labelText([...common, ['filepath', filepath(f.file)], ['owner', ownerValue(f.owners)], ['context', f.context]]);
    const entry = readErrors.get(labels) ?? { labels, count: 0 };
    entry.count++;
    readErrors.set(labels, entry);
    const reason = SOURCE_ERROR_REASONS[f.code] ?? 'read_failed';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const source: Labels = [...common, ['source_kind', 'file'], ['source_name', options.sourceName || options.repository || 'certlens']];
  const bundles = new Set([...report.certificates.map((c) => c.file), ...report.crls.map((c) => c.file)]);
  families.push(
    { name: 'x509_source_up', help: '1: the scan read its files', samples: [`x509_source_up${labelText(source)} 1`] },
    {
      name: 'x509_source_bundles',
      help: 'Files in which the scan found certificates or CRLs',
      samples: [`x509_source_bundles${labelText(source)} ${bundles.size}`],
    },
    {
      name: 'x509_source_errors_total',
      help: 'Certificates or files the scan could not read, by reason',
      type: 'counter',
      samples: [...reasons]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([reason, n]) => `x509_source_errors_total${labelText([...source, ['reason', reason]])} ${n}`),
    },
    {
      name: 'certlens_read_errors',
      help: 'Certificates or files CertLens could not read, per file',
      samples: [...readErrors.values()].map((e) => `certlens_read_errors${e.labels} ${e.count}`),
    },
  );

  if (report.hosts) {
    const expiry: string[] = [];
    const success: string[] = [];
    const hostSeen = new Set<string>();
    for (const h of report.hosts) {
      const instance = `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
      const labels = labelText([
        ...common,
        ['instance', instance],
        ['owner', ownerValue(h.owners ?? [])],
        ['context', h.context ?? 'production'],
      ]);
      if (hostSeen.has(labels)) continue;
      hostSeen.add(labels);
      success.push(`probe_success${labels} ${h.error ? 0 : 1}`);
      const earliest = h.chainEarliestNotAfter ?? h.notAfter;
      if (!h.error && earliest) expiry.push(`probe_ssl_earliest_cert_expiry${labels} ${seconds(earliest)}`);
    }
    families.push(
      {
        name: 'probe_ssl_earliest_cert_expiry',
        help: 'Earliest expiry of the certificates a TLS endpoint serves (Unix seconds)',
        samples: expiry,
      },
      { name: 'probe_success', help: '1 when the TLS handshake with the endpoint succeeded, else 0', samples: success },
    );
  }

  // Drift: one series per certificate and endpoint, from the finding at the certificate (the other is at the host's reference).
  const certificateAt = new Set(report.certificates.map((c) => `${c.file}\0${c.sha256}`));
  const drift: string[] = [];
  const driftSeen = new Set<string>();
  for (const f of report.findings) {
    if (!DRIFT_CODES.has(f.code) || !f.host || !f.sha256 || !certificateAt.has(`${f.file}\0${f.sha256}`)) continue;
    const labels = labelText([
      ...common,
      ['filepath', filepath(f.file)],
      ['instance', f.host],
      ['drift', f.code],
      ['owner', ownerValue(f.owners)],
      ['context', f.context],
    ]);
    if (driftSeen.has(labels)) continue;
    driftSeen.add(labels);
    drift.push(`certlens_host_drift${labels} 1`);
  }
  families.push({
    name: 'certlens_host_drift',
    help: 'A repository certificate and the endpoint that should serve it differ (drift: the finding code)',
    samples: drift,
  });

  const lines: string[] = [];
  for (const family of families) {
    if (!family.samples.length) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type ?? 'gauge'}`, ...family.samples);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

function seconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

function ownerValue(owners: readonly string[]): string {
  return owners.join(',');
}

/** `{a="x",b="y"}` without empty values (Prometheus treats an empty label as an absent one). */
function labelText(labels: Labels): string {
  const parts = labels.filter(([, v]) => v !== '').map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Label values escape backslash, double quote and line feed (exposition format). */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** The serial number in decimal, as x509-certificate-exporter writes it (Go's big.Int). */
function decimalSerial(hex: string): string {
  return /^[0-9a-f]+$/i.test(hex) ? BigInt(`0x${hex}`).toString(10) : hex;
}

/**
 * `subject_CN`, `subject_O`, ... from a DN as the report writes it ("CN=a, O=b + OU=c", RFC 4514
 * escapes). Several values of one attribute are joined with ','.
 */
export function nameLabels(prefix: 'subject' | 'issuer', dn: CertificateJson['subject']): Labels {
  const values = new Map<string, string[]>();
  for (const atom of splitDn(dn)) {
    const eq = atom.indexOf('=');
    if (eq < 0) continue;
    const key = atom.slice(0, eq).trim();
    if (!(NAME_ATTRIBUTES as readonly string[]).includes(key)) continue;
    values.set(key, [...(values.get(key) ?? []), unescapeDn(atom.slice(eq + 1).trim())]);
  }
  return NAME_ATTRIBUTES.filter((k) => values.has(k)).map((k) => [`${prefix}_${k}`, values.get(k)!.join(',')]);
}

/** Attribute=value atoms of a DN: split on unescaped ',' and '+'. */
function splitDn(dn: string): string[] {
  const atoms: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i];
    if (c === '\\' && i + 1 < dn.length) current += c + dn[++i];
    else if (c === ',' || c === '+') {
      atoms.push(current);
      current = '';
    } else current += c;
  }
  atoms.push(current);
  return atoms.map((a) => a.trim()).filter(Boolean);
}

function unescapeDn(v: string): string {
  return v.replace(/\\([0-9a-fA-F]{2}|.)/g, (_, e: string) => (e.length === 2 ? String.fromCharCode(parseInt(e, 16)) : e));
}
