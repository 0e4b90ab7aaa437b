import * as vscode from 'vscode';
import { runInBackground } from '../../core/background';
import type { CertificateRecord } from '../../core/model';
import { Commands } from '../commandIds';
import { readConfig, updateWorkspaceSetting } from '../config';
import type { Log } from '../log';
import type { CertificateStore } from '../store';
import { keyToUri, toVsRange } from '../uris';
import { revealLocation, type CertificateNode, type ExpirationsTree, type GroupBy, type Node } from '../views/expirationsTree';
import { toPem, type DetailsFeature } from './details';
import { exportCalendar, exportReport, type ReportFormat } from './exports';
import type { WorkspaceOwners } from '../owners';
import type { Pkcs12Feature } from './pkcs12';
import type { HostChecks } from '../hostChecks';
import { addWorkflow } from './workflow';
import { canProbe } from '../platform';

/** A certificate reference as lenses, quick fixes and tree items pass it. */
type CertArg = { sha256: string; file?: string; index?: number } | CertificateNode | undefined;

interface Deps {
  store: CertificateStore;
  hosts: HostChecks;
  tree: ExpirationsTree;
  details: DetailsFeature;
  pkcs12: Pkcs12Feature;
  rescan: () => Promise<void>;
  log: Log;
  /** Code owners for the exports (CODEOWNERS). */
  owners?: WorkspaceOwners;
}

/** Registers every command's handler; ids live in ../commandIds.ts. */
export function registerCommands({ store, hosts, tree, details, pkcs12, rescan, log, owners }: Deps): vscode.Disposable[] {
  const resolve = (arg: CertArg): CertificateRecord | undefined => {
    if (!arg) return certAtCursor(store);
    if ('kind' in arg) return arg.kind === 'certificate' ? arg.cert : undefined;
    if (!('sha256' in arg)) return undefined;
    const all = store.allCertificates();
    return (
      all.find(
        (c) =>
          c.sha256 === arg.sha256 && (arg.file === undefined || c.file === arg.file) && (arg.index === undefined || c.index === arg.index),
      ) ?? all.find((c) => c.sha256 === arg.sha256)
    );
  };
  // A failing command is logged (VS Code shows the error to whoever ran it, and nothing else does).
  const register = <A extends unknown[]>(id: string, fn: (...args: A) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: A) => {
      try {
        return await fn(...args);
      } catch (err) {
        log.error(`Command ${id} failed`, err);
        throw err;
      }
    });

  return [
    register(Commands.scanWorkspace, async () => {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Scanning for certificates') },
        () => rescan(),
      );
      const n = store.certificates().length;
      const unread = store.lastScan.unreadableFolders.length;
      const summary = unread
        ? vscode.l10n.t(
            'CertLens: {0} certificates in {1} files; {2} folders could not be read (see the log)',
            n,
            store.files().length,
            unread,
          )
        : vscode.l10n.t('CertLens: {0} certificates in {1} files', n, store.files().length);
      void vscode.window.setStatusBarMessage(summary, 5000);
      return n;
    }),
    register(Commands.refresh, () => rescan()),
    register(Commands.showDetails, async (arg?: CertArg) => {
      let cert = resolve(arg);
      if (!cert && !arg) cert = await pickCertificate(store);
      if (!cert) {
        if (arg)
          runInBackground(
            log,
            'Showing a message',
            vscode.window.showWarningMessage(vscode.l10n.t('CertLens: that certificate is no longer in the workspace.')),
          );
        return undefined;
      }
      return details.show(cert.sha256);
    }),
    register(Commands.inspectSelection, () => details.inspectSelectionOrClipboard()),
    register(Commands.exportReport, (format?: ReportFormat, target?: vscode.Uri) => exportReport(store, hosts, format, target, owners)),
    register(Commands.exportCalendar, (target?: vscode.Uri) => exportCalendar(store, hosts, target, owners)),
    register(Commands.checkHost, async (spec?: string) => {
      if (!hosts.allowed()) {
        runInBackground(
          log,
          'Showing a message',
          vscode.window.showWarningMessage(
            !canProbe()
              ? vscode.l10n.t('CertLens: host checks are off on the web (they need the desktop app).')
              : vscode.workspace.isTrusted
                ? vscode.l10n.t('CertLens: host checks are off (certlens.hosts.enabled).')
                : vscode.l10n.t('CertLens: host checks are off in Restricted Mode. Trust this workspace to check hosts.'),
          ),
        );
        return undefined;
      }
      spec ??= await vscode.window.showInputBox({
        title: vscode.l10n.t('Check host'),
        prompt: vscode.l10n.t('A host, host:port or URL, e.g. api.example.com:443'),
        ignoreFocusOut: true,
      });
      if (!spec) return undefined;
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking {0}…', spec) },
        () => hosts.check(spec),
      );
      if (!result) {
        runInBackground(
          log,
          'Showing a message',
          vscode.window.showErrorMessage(vscode.l10n.t('CertLens: "{0}" is not a host, host:port or URL.', spec)),
        );
        return undefined;
      }
      await details.showHost(result);
      return result;
    }),
    register(Commands.recheckHosts, () =>
      vscode.window.withProgress({ location: { viewId: 'certlens.expirations' } }, () => hosts.checkAll(true)),
    ),
    register(Commands.recheckHost, (arg?: { host: string; port: number } | Node) => {
      const t = arg && 'kind' in arg ? (arg.kind === 'host' ? arg.state.target : undefined) : arg;
      return t ? hosts.check(`${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`) : hosts.checkAll(true);
    }),
    register(Commands.unlockPkcs12, (arg?: string | Node, password?: string, remember?: boolean) => {
      const file = typeof arg === 'string' ? arg : arg && 'finding' in arg ? arg.finding.file : undefined;
      return pkcs12.unlock(file, password, remember);
    }),
    register(Commands.openSettings, () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:certlens.certlens')),
    register(Commands.reveal, (node?: Node) => {
      if (!node || node.kind === 'group') return;
      if (node.kind === 'host') {
        const ref = node.state.target.references[0];
        return ref ? revealLocation(ref.file, ref.range, log) : undefined;
      }
      const loc =
        node.kind === 'certificate' ? node.cert : node.kind === 'crl' ? node.crl : node.kind === 'expiry' ? node.expiry : node.finding;
      return revealLocation(loc.file, loc.range, log);
    }),
    register(Commands.copyFingerprint, async (arg?: CertArg) => {
      const cert = resolve(arg);
      if (cert) await vscode.env.clipboard.writeText(cert.sha256);
      return cert?.sha256;
    }),
    register(Commands.copyPem, async (arg?: CertArg) => {
      const cert = resolve(arg);
      if (cert) await vscode.env.clipboard.writeText(toPem(cert.der));
    }),
    register(Commands.ignore, async (arg?: CertArg) => {
      const cert = resolve(arg);
      if (!cert) return;
      const current = readConfig()['ignore.fingerprints'];
      if (!current.includes(cert.sha256)) await updateWorkspaceSetting('ignore.fingerprints', [...current, cert.sha256]);
    }),
    register(Commands.snooze, async (arg?: CertArg, days?: number) => {
      const cert = resolve(arg);
      if (!cert) return;
      if (days === undefined) {
        const pick = await vscode.window.showQuickPick(
          [1, 7, 14, 30].map((d) => ({ label: vscode.l10n.t('{0} days', d), days: d })),
          { title: vscode.l10n.t('Snooze {0} for', cert.subjectCN ?? cert.subject) },
        );
        if (!pick) return;
        days = pick.days;
      }
      const current = readConfig().snoozes;
      const now = store.now();
      // Drop snoozes that have ended while writing the new one.
      const kept = Object.fromEntries(Object.entries(current).filter(([, until]) => Date.parse(until) > now));
      await updateWorkspaceSetting('snoozes', { ...kept, [cert.sha256]: new Date(now + days * 86_400_000).toISOString() });
    }),
    register(Commands.groupBy, async (g?: GroupBy) => {
      if (!g) {
        const pick = await vscode.window.showQuickPick(
          [
            { label: vscode.l10n.t('Urgency'), g: 'urgency' as const },
            { label: vscode.l10n.t('File'), g: 'file' as const },
            { label: vscode.l10n.t('Issuer'), g: 'issuer' as const },
            { label: vscode.l10n.t('Owner'), description: vscode.l10n.t('from CODEOWNERS'), g: 'owner' as const },
          ],
          { title: vscode.l10n.t('Group certificates by') },
        );
        g = pick?.g;
      }
      if (g) tree.setGroupBy(g);
    }),
    register(Commands.filter, async (text?: string) => {
      text ??= await vscode.window.showInputBox({
        title: vscode.l10n.t('Filter certificates'),
        prompt: vscode.l10n.t('Text in the subject, issuer, names, file, serial or fingerprint'),
        value: tree.filter,
      });
      if (text !== undefined) tree.setFilter(text);
    }),
    register(Commands.clearFilter, () => tree.setFilter('')),
    register(Commands.showLog, () => log.show()),
    register(Commands.addWorkflow, () => addWorkflow(log)),
  ];
}

function certAtCursor(store: CertificateStore): CertificateRecord | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const result = store.fileResult(editor.document.uri);
  const pos = editor.selection.active;
  return (
    result?.certificates.find((c) => toVsRange(c.range).contains(pos)) ??
    (result?.certificates.length === 1 ? result.certificates[0] : undefined)
  );
}

async function pickCertificate(store: CertificateStore): Promise<CertificateRecord | undefined> {
  const files = [...new Set(store.certificates().map((c) => c.file))];
  const file = await vscode.window.showQuickPick(
    files.map((f) => ({ label: vscode.workspace.asRelativePath(keyToUri(f)), f })),
    { title: vscode.l10n.t('Show certificate details: pick a file') },
  );
  if (!file) return undefined;
  const certs = store.certificates().filter((c) => c.file === file.f);
  if (certs.length === 1) return certs[0];
  const pick = await vscode.window.showQuickPick(
    certs.map((c) => ({ label: c.subjectCN ?? c.subject, description: new Date(c.notAfter).toISOString().slice(0, 10), c })),
    { title: vscode.l10n.t('Which certificate?') },
  );
  return pick?.c;
}
