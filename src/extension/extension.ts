import * as vscode from 'vscode';
import { runInBackground } from '../core/background';
import type { CertLensApi, TreeItemSnapshot } from './api';
import { onDidChangeConfig, readConfig } from './config';
import { createLog } from './log';
import { CertificateStore } from './store';
import { ReadPool } from '../core/scan/readPool';
import { systemClock } from '../core/workspace/clock';
import { SessionPasswords } from './passwords';
import { CodeLensFeature, registerCertificateFileLinks } from './features/codelens';
import { HostChecks } from './hostChecks';
import { reportOf } from './features/exports';
import { registerCommands } from './features/commands';
import { FileDecorationsFeature } from './features/decorations';
import { DetailsFeature } from './features/details';
import { DiagnosticsFeature } from './features/diagnostics';
import { registerHover } from './features/hover';
import { LiveUpdates } from './features/liveUpdates';
import { notifyIfUrgent } from './features/notifications';
import { WorkspaceSummaries } from './summary';
import { Pkcs12Feature } from './features/pkcs12';
import { registerQuickFixes } from './features/quickFixes';
import { RenewalFeature } from './features/renewal';
import { registerLanguageModelTools } from './features/lmTools';
import { StatusBarFeature } from './features/statusBar';
import { ExpirationsTree, type Node } from './views/expirationsTree';
import { EditorLastChange, WorkspaceOwners } from './owners';
import { TeamConfigWatcher } from './teamConfig';
import { registerTeamConfigFixes } from './features/teamConfigFixes';
import { canProbe, platform } from './platform';

export type { CertLensApi } from './api';

export function activate(context: vscode.ExtensionContext): CertLensApi {
  const activationStart = performance.now();
  let firstScanMs: number | undefined;
  const log = createLog();
  const clock = systemClock;
  const passwords = new SessionPasswords();
  // On the web there is no worker thread: files are read through workspace.fs on this thread.
  const pool = platform.web
    ? undefined
    : new ReadPool(vscode.Uri.joinPath(context.extensionUri, 'dist', 'readWorker.js').fsPath, { background: true, log });
  for (const [key, value] of [
    ['certlens.isWeb', platform.web],
    ['certlens.canProbe', canProbe()],
  ] as const)
    runInBackground(log, `Setting ${key}`, vscode.commands.executeCommand('setContext', key, value));
  // The team configs (.certlens.yaml) are read before the first scan judges anything.
  const team = new TeamConfigWatcher(log);
  const store = new CertificateStore({ pool, clock, passwords, log, team });
  const hosts = new HostChecks(store, context.workspaceState, clock, log);
  const summaries = new WorkspaceSummaries(store, hosts);
  const owners = new WorkspaceOwners(log);
  const lastChanges = new EditorLastChange();
  const tree = new ExpirationsTree(store, hosts, summaries, owners);
  const codeLens = new CodeLensFeature(store, hosts);
  const statusBar = new StatusBarFeature(store, hosts, summaries);
  const details = new DetailsFeature(store, owners, lastChanges, hosts);
  const pkcs12 = new Pkcs12Feature(store, passwords, context.secrets, log);
  const live = new LiveUpdates(store);
  const diagnostics = new DiagnosticsFeature(store, hosts);
  const decorations = new FileDecorationsFeature(store, summaries);
  const lmTools = registerLanguageModelTools(store, hosts, log);
  const renewal = new RenewalFeature(store, log);
  let notified = 0;
  let fullScan: Promise<void> = Promise.resolve();

  const notify = async () => {
    if (await notifyIfUrgent(summaries, context.workspaceState, clock.now(), log)) notified++;
  };
  const rescan = (): Promise<void> => {
    // A failed scan is logged (CertLens: Show Log) and leaves the previous results in place.
    const scan = team
      .ready()
      .then(() => store.scanAll())
      .then(async () => {
        firstScanMs ??= performance.now() - activationStart;
        await notify();
      })
      .catch((err: unknown) => log.error('The workspace scan failed', err));
    fullScan = scan;
    runInBackground(
      log,
      'Showing the scan in the view',
      vscode.window.withProgress({ location: { viewId: 'certlens.expirations' } }, () => scan),
    );
    return scan;
  };

  context.subscriptions.push(
    log,
    team,
    team.onDidChange(() => hosts.reloadConfig()),
    registerTeamConfigFixes(store, team, log),
    // A new day, or a certificate crossing into expired or critical, with the window left open.
    store.onDidTick(() => runInBackground(log, 'The expiry notification', notify())),
    store,
    hosts,
    summaries,
    owners,
    lastChanges,
    tree,
    codeLens,
    statusBar,
    details,
    pkcs12,
    live,
    registerCertificateFileLinks(hosts),
    diagnostics,
    decorations,
    registerHover(store, owners, hosts),
    registerQuickFixes(store),
    renewal,
    ...lmTools.disposables,
    ...registerCommands({ store, hosts, tree, details, pkcs12, rescan, log, owners }),
    // Other settings are followed by the features that use them (see onDidChangeConfig).
    onDidChangeConfig(
      [
        'include',
        'exclude',
        'maxFileSize',
        'files.exclude',
        'context.production',
        'context.test',
        'context.example',
        'context.documentation',
        'context.vendored',
        'hosts.includeNonProduction',
      ],
      () => {
        log.info('Files to scan changed in settings: rescanning');
        runInBackground(log, 'The rescan', rescan());
      },
    ),
    vscode.workspace.onDidChangeWorkspaceFolders(() => runInBackground(log, 'The rescan', rescan())),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      tree.refresh();
      runInBackground(log, 'Checking hosts', hosts.checkAll());
    }),
  );

  // Activation stays cheap: the first scan starts after activation returns.
  // Until it has started, settled() and whenScanned() wait for it too.
  if (readConfig().scanOnStartup)
    fullScan = new Promise<void>((resolve) => setTimeout(() => runInBackground(log, 'The first scan', rescan().then(resolve)), 0));

  const activationMs = performance.now() - activationStart;
  log.info(`Activated in ${activationMs.toFixed(1)} ms`);

  const snapshot = (node?: Node): TreeItemSnapshot[] =>
    tree.getChildren(node).map((n) => {
      const item = tree.getTreeItem(n);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      return {
        label,
        description: typeof item.description === 'string' ? item.description : undefined,
        contextValue: item.contextValue,
        children: snapshot(n),
      };
    });

  return {
    settled: async () => {
      await team.ready();
      await fullScan;
      await live.settled();
      await hosts.settled();
      await diagnostics.idle();
    },
    scan: rescan,
    report: () => reportOf(store, hosts, owners),
    connectionsAttempted: () => hosts.connectionsAttempted,
    tree: () => snapshot(),
    statusBar: () => {
      statusBar.pendingUpdate.flush();
      return statusBar.visible ? statusBar.item.text : undefined;
    },
    treeMessage: () => tree.view.message,
    fileDecoration: (uri) => {
      decorations.pending.flush();
      return decorations.provideFileDecoration(vscode.Uri.parse(uri))?.badge;
    },
    whenScanned: async () => {
      await fullScan;
      await live.settled();
      await diagnostics.idle();
      return store.certificates().length;
    },
    notifications: () => notified,
    languageModelTools: () => lmTools.tools,
    renewal: () => renewal,
    metrics: () => ({
      activationMs,
      firstScanMs,
      lastScanMs: store.lastScan.ms,
      lastScanFiles: store.lastScan.files,
      codeLensRequests: codeLens.requests,
      editsMovedWithoutParse: store.editsMovedWithoutParse,
      editsHandled: live.editsHandled,
    }),
  };
}

export function deactivate(): void {}
