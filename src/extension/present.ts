import * as vscode from 'vscode';
import type { DriftResult } from '../core/hosts/drift';
import { hostPortKey } from '../core/hosts/names';
import { keystoreNote } from '../core/formats/keystore';
import type { FileContext } from '../core/context';
import type { CertificateRecord, CrlRecord } from '../core/model';
import { daysLeft, describeCertificate, describeCrl, isoDate, urgencyOf, type RuleSettings, type Urgency } from '../core/rules/rules';
import { isoTime } from '../core/report/schema';
import type { HostState } from './hostChecks';

/** Texts and icons shared by lenses, tree, hover and details. */

export function urgencyIcon(u: Urgency): vscode.ThemeIcon {
  switch (u) {
    case 'expired':
    case 'not-yet-valid':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    case 'critical':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.errorForeground'));
    case 'warning':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    case 'info':
      return new vscode.ThemeIcon('info', new vscode.ThemeColor('editorInfo.foreground'));
    default:
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  }
}

export function urgencyCodicon(u: Urgency): string {
  return u === 'expired' || u === 'not-yet-valid'
    ? '$(error)'
    : u === 'critical' || u === 'warning'
      ? '$(warning)'
      : u === 'info'
        ? '$(info)'
        : '$(pass)';
}

export function certLabel(c: CertificateRecord): string {
  return c.subjectCN || c.sans.dns[0] || c.sans.ip[0] || c.sans.email[0] || c.subject || vscode.l10n.t('certificate {0}', c.index + 1);
}

/** "5 days · 2026-11-27" / "expired 12 days ago · 2026-11-10". */
export function whenText(c: Pick<CertificateRecord, 'notBefore' | 'notAfter'>, now: number): string {
  const left = daysLeft(c.notAfter, now);
  const date = isoDate(c.notAfter);
  if (c.notAfter <= now) return vscode.l10n.t('expired {0} days ago · {1}', -left, date);
  if (c.notBefore > now) return vscode.l10n.t('not valid before {0}', isoDate(c.notBefore));
  return left === 1 ? vscode.l10n.t('1 day · {0}', date) : vscode.l10n.t('{0} days · {1}', left, date);
}

export function lensTitle(c: CertificateRecord, all: readonly CertificateRecord[], now: number, rules: RuleSettings): string {
  const u = urgencyOf(c, now, rules);
  const left = daysLeft(c.notAfter, now);
  const date = isoDate(c.notAfter);
  const name = describeCertificate(c);
  let title: string;
  if (u === 'expired') title = vscode.l10n.t('{0} Expired {1} days ago ({2}) · {3}', urgencyCodicon(u), -left, date, name);
  else if (u === 'not-yet-valid') title = vscode.l10n.t('{0} Not valid before {1} · {2}', urgencyCodicon(u), isoDate(c.notBefore), name);
  else if (u === 'later') title = vscode.l10n.t('{0} Valid {1} days · {2} · {3}', urgencyCodicon(u), left, date, name);
  else title = vscode.l10n.t('{0} Expires in {1} days · {2} · issued by {3}', urgencyCodicon(u), left, date, c.issuerCN ?? c.issuer);
  if (c.chain && c.chain.earliestIndex !== c.index && c.chain.earliestNotAfter < c.notAfter) {
    const first = all.find((o) => o.file === c.file && o.index === c.chain?.earliestIndex);
    title +=
      ' · ' + vscode.l10n.t('chain expires first: {0} ({1})', first ? describeCertificate(first) : '?', isoDate(c.chain.earliestNotAfter));
  }
  return title;
}

function md(s: string): string {
  return s.replace(/[\\`*_[\]|<>&~]/g, (ch) => '\\' + ch).replace(/\r?\n/g, ' ');
}

export function hoverMarkdown(
  c: CertificateRecord,
  all: readonly CertificateRecord[],
  now: number,
  context: FileContext,
  owners?: readonly string[],
  contextReason?: string,
): vscode.MarkdownString {
  const rows = detailRows(c, all, now, context, owners, contextReason);
  const m = new vscode.MarkdownString(undefined, true);
  m.isTrusted = false;
  m.supportHtml = false;
  m.appendMarkdown(`**${md(certLabel(c))}**\n\n| | |\n|---|---|\n`);
  for (const [k, v] of rows) m.appendMarkdown(`| ${md(k)} | ${md(v)} |\n`);
  return m;
}

/** What a CRL says about itself, as rows for the tree's tooltip and the hover. */
export function crlRows(c: CrlRecord, now: number): [string, string][] {
  const t = vscode.l10n.t;
  return [
    [t('Issuer'), c.issuer],
    [t('This update'), isoTime(c.thisUpdate)],
    [
      t('Next update'),
      c.nextUpdate === undefined
        ? t('none')
        : `${isoTime(c.nextUpdate)} (${whenText({ notBefore: -Infinity, notAfter: c.nextUpdate }, now)})`,
    ],
    [t('CRL number'), c.crlNumber ? `0x${c.crlNumber}` : t('none')],
    [t('Revoked certificates'), String(c.revokedCount)],
    ['SHA-256', c.sha256],
  ];
}

export function crlHoverMarkdown(c: CrlRecord, now: number): vscode.MarkdownString {
  const m = new vscode.MarkdownString(undefined, true);
  m.isTrusted = false;
  m.supportHtml = false;
  m.appendMarkdown(`**${md(describeCrl(c))}**\n\n| | |\n|---|---|\n`);
  for (const [k, v] of crlRows(c, now)) m.appendMarkdown(`| ${md(k)} | ${md(v)} |\n`);
  return m;
}

/** How a file's context reads in the tree, hover and details. */
export function contextLabel(context: FileContext): string {
  const t = vscode.l10n.t;
  switch (context) {
    case 'production':
      return t('production');
    case 'test':
      return t('test');
    case 'example':
      return t('example');
    case 'documentation':
      return t('documentation');
    case 'vendored':
      return t('vendored');
  }
}

/** Label/value pairs for everything known about a certificate. */
export function detailRows(
  c: CertificateRecord,
  all: readonly CertificateRecord[],
  now: number,
  context: FileContext,
  owners?: readonly string[],
  contextReason?: string,
): [string, string][] {
  const t = vscode.l10n.t;
  const left = daysLeft(c.notAfter, now);
  const sans = [
    ...c.sans.dns.map((d) => `DNS:${d}`),
    ...c.sans.ip.map((d) => `IP:${d}`),
    ...c.sans.email.map((d) => `email:${d}`),
    ...c.sans.uri.map((d) => `URI:${d}`),
  ];
  const rows: [string, string][] = [
    [t('Subject'), c.subject],
    [t('Issuer'), c.issuer],
    [t('Subject alternative names'), sans.join(', ') || '—'],
    [t('Valid from'), isoTime(c.notBefore)],
    [t('Valid until'), `${isoTime(c.notAfter)} (${c.notAfter <= now ? t('expired {0} days ago', -left) : t('{0} days left', left)})`],
    [t('Key'), [c.keyType, c.keyBits ? `${c.keyBits} bits` : '', c.curve ?? ''].filter(Boolean).join(' ')],
    [t('Signature algorithm'), c.signatureAlgorithm],
    [t('Serial'), c.serial],
    [t('SHA-256'), c.sha256],
    [t('SHA-1'), c.sha1],
    [t('CA'), c.isCA ? t('yes') : t('no')],
    [t('Self-signed'), c.selfSigned ? t('yes') : t('no')],
    [t('Key usage'), [...c.keyUsage, ...c.extendedKeyUsage].join(', ') || '—'],
    [t('Role'), c.role],
    [t('Source'), `${c.source} #${c.index + 1}`],
    [
      t('Context'),
      context === 'production' ? t('production') : t('{0}: its findings are hints (certlens.nonProduction)', contextLabel(context)),
    ],
  ];
  // The classifier's reason is in English, as finding messages are.
  if (contextReason) rows.push([t('Why this context'), contextReason]);
  if (c.saml) {
    const s = c.saml;
    if (s.entityID) rows.push([t('SAML entity'), s.entityID]);
    if (s.role) rows.push([t('SAML role'), s.role]);
    if (s.use)
      rows.push([
        t('Key use'),
        s.use === 'signing' ? t('signing') : s.use === 'encryption' ? t('encryption') : t('signing and encryption'),
      ]);
    if (s.signature) rows.push([t('Signs'), t('this document (XML signature)')]);
    if (s.validUntil !== undefined)
      rows.push([
        t('Metadata valid until'),
        `${isoTime(s.validUntil)} (${s.validUntil <= now ? t('expired {0} days ago', -daysLeft(s.validUntil, now)) : t('{0} days left', daysLeft(s.validUntil, now))})`,
      ]);
    if (s.cacheDuration) rows.push([t('Metadata cache duration'), s.cacheDuration]);
  }
  if (c.jwk) {
    const k = c.jwk;
    const key = [k.kid && `kid ${k.kid}`, k.kty, k.use && `use ${k.use}`, k.alg].filter(Boolean).join(' · ');
    rows.push([t('JSON Web Key'), `${key || '—'} · x5c[${k.position}]${k.position === 0 ? ` (${t("the key's certificate")})` : ''}`]);
  }
  // Only with a CODEOWNERS file: without one, "no owner" would say nothing.
  if (owners) rows.push([t('Owners'), owners.join(', ') || t('none (no CODEOWNERS line owns this file)')]);
  if (c.chain) {
    const first = all.find((o) => o.file === c.file && o.index === c.chain?.earliestIndex);
    rows.push([t('Chain expires first'), `${first ? describeCertificate(first) : '?'} (${isoDate(c.chain.earliestNotAfter)})`]);
  }
  if (c.alias !== undefined) rows.push([t('Alias'), c.alias]);
  if (c.keystore) rows.push([t('Keystore'), keystoreNote(c.keystore)]);
  if (c.managedBy) {
    const m = c.managedBy;
    const issuer = m.issuerName ? ` (${m.issuerKind ?? 'Issuer'} ${m.issuerName})` : '';
    rows.push([t('Managed by'), `cert-manager Certificate ${m.namespace ? `${m.namespace}/` : ''}${m.certificateName}${issuer}`]);
  }
  if (c.privateKey)
    rows.push([t('Private key'), `${vscode.workspace.asRelativePath(c.privateKey.file)}:${c.privateKey.range.start.line + 1}`]);
  return rows;
}

/** The one-line state of a checked host, for lenses and the tree. */
export function hostSummary(
  state: HostState,
  rules: RuleSettings,
  now: number,
): { text: string; urgency: Urgency | 'unreachable' | 'unchecked' } {
  const t = vscode.l10n.t;
  const r = state.result;
  if (!r) {
    const text =
      state.reason === 'web'
        ? t('host checks are off on the web')
        : state.reason === 'restricted'
          ? t('host checks are off in Restricted Mode')
          : state.reason === 'disabled'
            ? t('host checks are off (certlens.hosts.enabled)')
            : t('not checked yet');
    return { text, urgency: 'unchecked' };
  }
  if (r.error) return { text: t('unreachable: {0}', r.error), urgency: 'unreachable' };
  const leaf = r.chain[0];
  if (!leaf) return { text: t('no certificate served'), urgency: 'unreachable' };
  const urgency = urgencyOf(leaf, now, rules);
  const left = daysLeft(leaf.notAfter, now);
  const parts: string[] = [];
  if (r.hostnameMatch === false)
    parts.push(
      t('hostname mismatch: serves {0}', (leaf.dnsNames.length ? leaf.dnsNames : [leaf.subjectCN ?? leaf.subject]).slice(0, 3).join(', ')),
    );
  parts.push(
    urgency === 'expired'
      ? t('expired {0} days ago', -left)
      : urgency === 'not-yet-valid'
        ? t('not valid before {0}', isoDate(leaf.notBefore))
        : t('expires in {0} days', left),
  );
  if (
    r.chainEarliestIndex !== undefined &&
    r.chainEarliestIndex > 0 &&
    r.chainEarliestNotAfter !== undefined &&
    r.chainEarliestNotAfter < leaf.notAfter
  ) {
    parts.push(t('chain expires first: {0} ({1})', r.chain[r.chainEarliestIndex]?.subjectCN ?? '?', isoDate(r.chainEarliestNotAfter)));
  }
  if (!r.authorized && r.authorizationError && r.authorizationError !== 'CERT_HAS_EXPIRED')
    parts.push(t('untrusted: {0}', r.authorizationError));
  parts.push(leaf.issuerCN ?? leaf.issuer);
  return { text: parts.join(' · '), urgency };
}

export const hostLabel = hostPortKey;

/** One line about a repository certificate and the endpoint paired with it: served as is, or how it differs. */
export function driftText(r: Pick<DriftResult, 'state' | 'host' | 'port' | 'evidence'>): { icon: string; text: string } {
  const host = hostLabel(r.host, r.port);
  const weak = r.evidence === 'san' ? ` ${vscode.l10n.t('(paired by its SANs only)')}` : '';
  switch (r.state) {
    case 'same':
      return { icon: 'pass', text: vscode.l10n.t('served by {0} ✓', host) + weak };
    case 'renewed-not-deployed':
      return { icon: 'warning', text: vscode.l10n.t('{0} still serves the previous certificate: renewed here, not deployed', host) + weak };
    case 'repository-stale':
      return { icon: 'info', text: vscode.l10n.t('{0} serves a newer certificate: this copy is stale', host) + weak };
    case 'other':
      return { icon: 'warning', text: vscode.l10n.t('{0} serves another certificate', host) + weak };
  }
}
