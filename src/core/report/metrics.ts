import * as path from 'node:path';
import type { CertificateJson, Report } from './schema';
import { UNREAD_CODES } from './findingCodes';

/**
 * The report as Prometheus metrics (text exposition format 0.0.4, what node_exporter's textfile
 * collector and the Pushgateway read), with the names and labels of enix/x509-certificate-exporter
 * so its dashboards and alert rules work unchanged:
 *
 *   x509_cert_not_before / x509_cert_not_after   Unix seconds
 *   x509_cert_expired                            1 when expired at the report's time, else 0
 *   labels: filepath, subject_CN/O/OU/C/ST/L, issuer_CN/O/OU/C/ST/L, serial_number (decimal)
 *
 * plus `owner` (the file's CODEOWNERS owners, comma-separated; empty when unowned), `context`
 * (production, test, example, documentation, vendored) and `repository` (an option). Hosts follow
 * blackbox_exporter: probe_ssl_earliest_cert_expiry{instance="host:port"} and probe_success.
 * certlens_read_errors counts the files' unreadable certificates, x509_read_errors their total.
 */
export interface MetricsOptions {
  /** The `repository` label on every series (omitted when empty). */
  repository?: string;
  /** `filepath` is relative to this folder when the file is inside it ('/' separators). */
  relativeTo?: string;
}

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
  const families: { name: string; help: string; samples: string[] }[] = [
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

  const readErrors = new Map<string, { labels: string; count: number }>();
  for (const f of report.findings) {
    if (!READ_ERROR_CODES.has(f.code)) continue;
    const labels = labelText([...common, ['filepath', filepath(f.file)], ['owner', ownerValue(f.owners)], ['context', f.context]]);
    const entry = readErrors.get(labels) ?? { labels, count: 0 };
    entry.count++;
    readErrors.set(labels, entry);
  }
  const totalReadErrors = [...readErrors.values()].reduce((n, e) => n + e.count, 0);
  families.push(
    {
      name: 'certlens_read_errors',
      help: 'Certificates or files CertLens could not read, per file',
      samples: [...readErrors.values()].map((e) => `certlens_read_errors${e.labels} ${e.count}`),
    },
    {
      name: 'x509_read_errors',
      help: 'Certificates or files that could not be read, in total',
      samples: [`x509_read_errors${labelText(common)} ${totalReadErrors}`],
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

  const lines: string[] = [];
  for (const family of families) {
    if (!family.samples.length) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`, ...family.samples);
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
