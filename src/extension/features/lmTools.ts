import * as vscode from 'vscode';
import { assessHost } from '../../core/hosts';
import { hostPortKey, parseHostPort } from '../../core/hosts/names';
import type { Finding } from '../../core/model';
import { codesIn } from '../../core/report/findingCodes';
import { daysLeft, describeCertificate, isoDate } from '../../core/rules/rules';
import type { HostChecks } from '../hostChecks';
import type { Log } from '../log';
import type { CertificateStore } from '../store';
import { fileKey, keyToUri } from '../uris';

/** Tool names, as `contributes.languageModelTools` declares them. */
export const TOOL_NAMES = { expirations: 'certlens_expirations', checkHost: 'certlens_checkHost' } as const;

/** Lines a tool result holds at most (a model's context is not a report). */
const MAX_LINES = 150;

export interface ExpirationsInput {
  /** Certificates expiring within this many days (default: the workspace's warning days). */
  days?: number;
  /** Also certificates in tests, examples, docs and vendored files. */
  includeNonProduction?: boolean;
}

export interface CheckHostInput {
  /** A host, host:port or URL. */
  host: string;
}

function at(file: string, line: number): string {
  return `${vscode.workspace.asRelativePath(keyToUri(file))}:${line + 1}`;
}

function text(lines: string[]): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(lines.join('\n'))]);
}

function capped(lines: string[]): string[] {
  return lines.length <= MAX_LINES ? lines : [...lines.slice(0, MAX_LINES), `… and ${lines.length - MAX_LINES} more`];
}

/** Codes a certificate line already says (its expiry), left out of the other findings. */
const EXPIRY_CODES = codesIn('expired', 'expiry');

/**
 * The workspace's expired and soon-expiring certificates, each with its file and line, then the
 * other findings (drift between files and hosts, host problems, unreadable files), from the same
 * model the editor shows. Reads only: no confirmation.
 */
export class ExpirationsTool implements vscode.LanguageModelTool<ExpirationsInput> {
  constructor(
    private readonly store: CertificateStore,
    private readonly hosts: HostChecks,
  ) {}

  prepareInvocation(): vscode.PreparedToolInvocation {
    return { invocationMessage: vscode.l10n.t('Reading the certificates CertLens found in the workspace') };
  }

  invoke(options: vscode.LanguageModelToolInvocationOptions<ExpirationsInput>): vscode.LanguageModelToolResult {
    const now = this.store.now();
    const folder = vscode.workspace.workspaceFolders?.[0];
    const fallbackDays = folder ? this.store.configFor(fileKey(folder.uri)).rules.warningDays : 30;
    const days = typeof options.input?.days === 'number' && options.input.days >= 0 ? Math.floor(options.input.days) : fallbackDays;
    const all = options.input?.includeNonProduction === true;
    const certs = this.store.certificates().filter((c) => (all || !this.store.setApart(c.file)) && daysLeft(c.notAfter, now) <= days);
    const lines = [
      `CertLens at ${new Date(now).toISOString()}: ${certs.length} certificate(s) expired or expiring within ${days} days` +
        ` (of ${this.store.certificates().length} in the workspace${all ? '' : '; tests, examples, docs and vendored files left out'}).`,
    ];
    for (const c of certs) {
      const d = daysLeft(c.notAfter, now);
      const when = c.notAfter <= now ? `expired ${-d} days ago` : `expires in ${d} days`;
      lines.push(
        `- ${when} (${isoDate(c.notAfter)}): ${describeCertificate(c)}, issued by ${c.issuerCN ?? c.issuer}, at ${at(c.file, c.range.start.line)}`,
      );
    }
    const findings: Finding[] = [...this.store.findings(), ...this.hosts.files().flatMap((f) => this.hosts.findingsIn(f))].filter(
      (f) => f.severity !== 'hint' && !EXPIRY_CODES.has(f.code) && (all || !this.store.setApart(f.file)),
    );
    if (findings.length) {
      lines.push('', `Other findings (drift between files and hosts, hosts, files): ${findings.length}`);
      for (const f of findings) lines.push(`- ${f.severity} [${f.code}] at ${at(f.file, f.range.start.line)}: ${f.message}`);
    }
    return text(capped(lines));
  }
}

/**
 * Checks one TLS endpoint: a handshake, nothing else sent. Asks the user before any connection
 * (VS Code shows the confirmation), and refuses in an untrusted workspace or with host checks off.
 */
export class CheckHostTool implements vscode.LanguageModelTool<CheckHostInput> {
  constructor(
    private readonly store: CertificateStore,
    private readonly hosts: HostChecks,
  ) {}

  /**
   * Asks the user before a connection when the tool is invoked outside a chat request (no
   * toolInvocationToken): VS Code 1.99.3 then shows no confirmation of its own (checked in the
   * integration host, where such a call connected at once). In chat, VS Code shows
   * `confirmationMessages` first. Replaceable by tests, which cannot answer a modal dialog.
   */
  confirmOutsideChat = async (target: string): Promise<boolean> => {
    const connect = vscode.l10n.t('Connect');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'CertLens will open a TLS connection to {0} and read the certificate it serves (a handshake, nothing else is sent).',
        target,
      ),
      { modal: true },
      connect,
    );
    return answer === connect;
  };

  private target(input: CheckHostInput | undefined): string | undefined {
    const spec = typeof input?.host === 'string' ? input.host : '';
    const cleaned = spec
      .trim()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
      .replace(/[/?#].*$/, '');
    const hp = parseHostPort(cleaned);
    return hp ? hostPortKey(hp.host, hp.port) : undefined;
  }

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<CheckHostInput>): vscode.PreparedToolInvocation {
    const target = this.target(options.input);
    // Nothing will connect: no question to ask (invoke refuses).
    if (!target || !this.hosts.allowed()) return { invocationMessage: vscode.l10n.t('CertLens: host checks are not possible here') };
    return {
      invocationMessage: vscode.l10n.t('Checking {0}…', target),
      confirmationMessages: {
        title: vscode.l10n.t('Check a TLS host?'),
        message: new vscode.MarkdownString(
          vscode.l10n.t(
            'CertLens will open a TLS connection to **{0}** and read the certificate it serves (a handshake, nothing else is sent).',
            target,
          ),
        ),
      },
    };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<CheckHostInput>): Promise<vscode.LanguageModelToolResult> {
    if (!vscode.workspace.isTrusted)
      return text([vscode.l10n.t('Refused: this workspace is not trusted, and CertLens opens no connection in Restricted Mode.')]);
    if (!this.hosts.allowed()) return text([vscode.l10n.t('Refused: host checks are off (certlens.hosts.enabled).')]);
    const target = this.target(options.input);
    if (!target) return text([vscode.l10n.t('"{0}" is not a host, host:port or URL.', String(options.input?.host ?? ''))]);
    if (options.toolInvocationToken === undefined && !(await this.confirmOutsideChat(target)))
      return text([vscode.l10n.t('Cancelled: no connection to {0} was confirmed.', target)]);
    const result = await this.hosts.check(target);
    if (!result) return text([vscode.l10n.t('"{0}" is not a host, host:port or URL.', target)]);
    const now = this.store.now();
    const folder = vscode.workspace.workspaceFolders?.[0];
    const rules = folder ? this.store.configFor(fileKey(folder.uri)).rules : undefined;
    const lines = [`${target} (connected to ${result.address}${result.viaProxy ? ` via ${result.viaProxy}` : ''}):`];
    if (result.error) {
      lines.push(`- unreachable: ${result.error}`);
    } else {
      const leaf = result.chain[0];
      if (leaf) {
        lines.push(`- serves ${leaf.subject}, issued by ${leaf.issuer}`);
        if (result.notAfter !== undefined) {
          const d = daysLeft(result.notAfter, now);
          lines.push(`- ${result.notAfter <= now ? `expired ${-d} days ago` : `expires in ${d} days`} (${isoDate(result.notAfter)})`);
        }
        lines.push(`- SHA-256 ${leaf.sha256}`);
      }
      lines.push(
        `- chain: ${result.chain.length} certificate(s); trusted: ${result.authorized ? 'yes' : `no (${result.authorizationError ?? 'unknown'})`}`,
      );
      if (result.hostnameMatch === false) lines.push(`- host name mismatch: ${result.hostnameError ?? ''}`);
    }
    for (const issue of assessHost(result, now, rules)) lines.push(`- ${issue.severity} [${issue.code}]: ${issue.message}`);
    const refs = this.hosts.targets().find((t) => hostPortKey(t.host, t.port) === target)?.references ?? [];
    for (const r of refs.slice(0, 20)) lines.push(`- named at ${at(r.file, r.range.start.line)}`);
    return text(capped(lines));
  }
}

export interface LanguageModelTools {
  expirations: ExpirationsTool;
  checkHost: CheckHostTool;
}

/**
 * Registers the tools where the running VS Code has `vscode.lm.registerTool`; nothing where it does
 * not (the manifest's contribution is then ignored by that VS Code).
 */
export function registerLanguageModelTools(
  store: CertificateStore,
  hosts: HostChecks,
  log: Log,
): { tools?: LanguageModelTools; disposables: vscode.Disposable[] } {
  const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
  if (typeof lm?.registerTool !== 'function') {
    log.info('Language model tools: not available in this VS Code');
    return { disposables: [] };
  }
  const tools = { expirations: new ExpirationsTool(store, hosts), checkHost: new CheckHostTool(store, hosts) };
  return {
    tools,
    disposables: [lm.registerTool(TOOL_NAMES.expirations, tools.expirations), lm.registerTool(TOOL_NAMES.checkHost, tools.checkHost)],
  };
}
