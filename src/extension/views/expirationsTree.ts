import * as path from 'node:path';
import * as vscode from 'vscode';
import { runInBackground } from '../../core/background';
import type { CertificateRecord, FileExpiry, CrlRecord, Finding } from '../../core/model';
import { driftFindings } from '../../core/hosts/drift';
import { crlUrgencyOf, describeCrl, urgencyOf, type Urgency } from '../../core/rules/rules';
import { Commands, VIEW_ID } from '../commandIds';
import { certLabel, contextLabel, crlRows, detailRows, hostLabel, hostSummary, urgencyIcon, whenText } from '../present';
import type { HostChecks, HostState } from '../hostChecks';
import type { CertificateStore } from '../store';
import { keyToUri, toVsRange } from '../uris';
import { Coalescer, SUMMARY_REFRESH_MS } from '../coalesce';
import type { Log } from '../log';
import { LOCKED_CODES } from '../../core/report/findingCodes';
import { PROBLEM_CODES, problemContextValue } from './contextValues';
import { errorMessage } from '../../core/redact';
import type { WorkspaceOwners } from '../owners';
import { platform } from '../platform';
import type { WorkspaceSummaries } from '../summary';

export type GroupBy = 'urgency' | 'file' | 'issuer' | 'owner';

export type Node = GroupNode | CertificateNode | CrlNode | ExpiryNode | ProblemNode | HostNode;

export class GroupNode {
  readonly kind = 'group';
  parent?: GroupNode;
  constructor(
    readonly id: string,
    readonly label: string,
    readonly children: Node[],
    readonly icon?: vscode.ThemeIcon,
    readonly description?: string,
  ) {}
}

export class HostNode {
  readonly kind = 'host';
  constructor(
    readonly state: HostState,
    readonly summary: string,
    readonly urgency: ReturnType<typeof hostSummary>['urgency'],
    public parent?: GroupNode,
  ) {}
}

export class CertificateNode {
  readonly kind = 'certificate';
  constructor(
    readonly cert: CertificateRecord,
    readonly urgency: Urgency,
    public parent?: GroupNode,
  ) {}
}

/** A certificate revocation list: its nextUpdate is its expiry; one without is 'later'. */
export class CrlNode {
  readonly kind = 'crl';
  constructor(
    readonly crl: CrlRecord,
    readonly urgency: Urgency,
    public parent?: GroupNode,
  ) {}
}

/** A date a file itself expires at (SAML metadata validUntil), in the urgency groups. */
export class ExpiryNode {
  readonly kind = 'expiry';
  constructor(
    readonly expiry: FileExpiry & { file: string },
    readonly urgency: Urgency,
    public parent?: GroupNode,
  ) {}
}

/** The moment a tree entry is sorted by: a certificate's notAfter, a CRL's nextUpdate. */
function dueOf(n: CertificateNode | CrlNode): number {
  return n.kind === 'certificate' ? n.cert.notAfter : (n.crl.nextUpdate ?? Infinity);
}

export class ProblemNode {
  readonly kind = 'problem';
  constructor(
    readonly finding: Finding,
    public parent?: GroupNode,
  ) {}
}

/** The collapsed group of certificates and problems in test, example, documentation and vendored files. */
const NON_PRODUCTION_GROUP = 'non-production';

/** The "Expirations" tree: certificates grouped by urgency (or file, or issuer), soonest first. */
export class ExpirationsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<Node>;
  /** Built when VS Code asks for them (the view is visible), not on every change. */
  private roots: GroupNode[] | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  groupBy: GroupBy = 'urgency';
  /** Store changes arrive per file; the tree is rebuilt once per burst. */
  readonly pendingRefresh = new Coalescer(() => this.refresh(), SUMMARY_REFRESH_MS);
  filter = '';

  constructor(
    private readonly store: CertificateStore,
    private readonly hosts: HostChecks,
    private readonly summaries: WorkspaceSummaries,
    private readonly owners?: WorkspaceOwners,
  ) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      this.pendingRefresh,
      store.onDidChange(() => this.pendingRefresh.trigger()),
      hosts.onDidChange(() => this.pendingRefresh.trigger()),
      store.onDidChangeScanning(() => this.updateMessage()),
    );
    if (owners) this.disposables.push(owners.onDidChange(() => this.pendingRefresh.trigger()));
    this.refresh();
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  /**
   * `name · ` of a row's file, first (a narrow sidebar cuts the end): it tells apart two rows of one
   * name, such as a keystore and its trust store. Grouped by file, the group says it.
   */
  private fileNameOf(file: string): string {
    return this.groupBy === 'file' ? '' : `${path.posix.basename(keyToUri(file).path)} · `;
  }

  setGroupBy(g: GroupBy): void {
    this.groupBy = g;
    this.refresh();
  }

  setFilter(text: string): void {
    this.filter = text.trim().toLowerCase();
    runInBackground(
      this.store.log,
      'Setting certlens.filtered',
      vscode.commands.executeCommand('setContext', 'certlens.filtered', this.filter.length > 0),
    );
    this.refresh();
  }

  refresh(): void {
    this.roots = undefined;
    const { counts } = this.store.summary();
    // Certificates, CRLs, SAML metadata and hosts, as the status bar counts them.
    const { urgent } = this.summaries.current();
    this.view.badge = urgent
      ? {
          value: urgent,
          tooltip: vscode.l10n.t('{0} expired or expiring within critical days (certificates, CRLs, SAML metadata, hosts)', urgent),
        }
      : undefined;
    runInBackground(
      this.store.log,
      'Setting certlens.scanned',
      vscode.commands.executeCommand('setContext', 'certlens.scanned', this.store.scanned),
    );
    const empty =
      !this.filter &&
      Object.values(counts).every((n) => n === 0) &&
      this.hosts.states().length === 0 &&
      this.store.crls().length === 0 &&
      !this.store.findings().some((f) => PROBLEM_CODES.has(f.code));
    runInBackground(this.store.log, 'Setting certlens.empty', vscode.commands.executeCommand('setContext', 'certlens.empty', empty));
    this.updateMessage();
    this.changed.fire(undefined);
  }

  private updateMessage(): void {
    const parts: string[] = [];
    if (this.store.scanning) parts.push(vscode.l10n.t('Scanning…'));
    if (this.filter) parts.push(vscode.l10n.t('Filtered by "{0}"', this.filter));
    if (platform.web) parts.push(vscode.l10n.t('On the web: certificates in files are shown; host checks and git history are off.'));
    else if (!vscode.workspace.isTrusted)
      parts.push(vscode.l10n.t('Restricted Mode: host checks are off; certificates in files are shown.'));
    this.view.message = parts.join(' · ') || undefined;
    this.view.description =
      this.groupBy === 'urgency'
        ? undefined
        : this.groupBy === 'file'
          ? vscode.l10n.t('by file')
          : this.groupBy === 'owner'
            ? vscode.l10n.t('by owner')
            : vscode.l10n.t('by issuer');
  }

  /** The current top-level groups (for tests and the API). */
  groups(): readonly GroupNode[] {
    this.pendingRefresh.flush();
    return (this.roots ??= this.build());
  }

  private matches(c: CertificateRecord): boolean {
    if (!this.filter) return true;
    const hay = [c.subject, c.issuer, ...c.sans.dns, ...c.sans.ip, c.file, c.sha256, c.serial].join('\n').toLowerCase();
    return hay.includes(this.filter);
  }

  private matchesCrl(c: CrlRecord): boolean {
    return !this.filter || [c.issuer, c.file, c.sha256, c.crlNumber ?? '', 'crl'].join('\n').toLowerCase().includes(this.filter);
  }

  private build(): GroupNode[] {
    const now = this.store.now();
    const certs = this.store.certificates().filter((c) => this.matches(c));
    const crls = this.store.crls().filter((c) => this.matchesCrl(c));
    const crlNode = (c: CrlRecord) => new CrlNode(c, crlUrgencyOf(c, now, this.store.configFor(c.file).rules) ?? 'later');
    const problems = this.store
      .findings()
      .filter(
        (f) =>
          PROBLEM_CODES.has(f.code) &&
          (!this.filter || f.file.toLowerCase().includes(this.filter) || f.message.toLowerCase().includes(this.filter)),
      );
    // Tests, examples, docs and vendored files keep every certificate, in one group of their own.
    const apart: (CertificateNode | CrlNode)[] = certs
      .filter((c) => this.store.setApart(c.file))
      .map((c) => new CertificateNode(c, urgencyOf(c, now, this.store.configFor(c.file).rules)));
    const nodes: (CertificateNode | CrlNode)[] = certs
      .filter((c) => !this.store.setApart(c.file))
      .map((c) => new CertificateNode(c, urgencyOf(c, now, this.store.configFor(c.file).rules)));
    // CRLs join the certificates by date (most workspaces have none: no re-sort then).
    if (crls.length) {
      for (const c of crls) (this.store.setApart(c.file) ? apart : nodes).push(crlNode(c));
      const byDue = (a: CertificateNode | CrlNode, b: CertificateNode | CrlNode) => dueOf(a) - dueOf(b) || 0;
      nodes.sort(byDue);
      apart.sort(byDue);
    }
    const groups: GroupNode[] = [];
    const make = (id: string, label: string, children: Node[], icon?: vscode.ThemeIcon, description?: string) => {
      const g = new GroupNode(id, label, children, icon, description ?? String(children.length));
      children.forEach((ch) => (ch.parent = g));
      return g;
    };
    const add = (id: string, label: string, children: Node[], icon?: vscode.ThemeIcon, description?: string) => {
      if (children.length) groups.push(make(id, label, children, icon, description));
    };
    const t = vscode.l10n.t;
    if (this.groupBy === 'urgency') {
      // Files' own expiries (SAML metadata) join the urgency groups by date.
      const expiries = this.store
        .fileExpiries()
        .filter((e) => !this.filter || e.label.toLowerCase().includes(this.filter) || e.file.toLowerCase().includes(this.filter))
        .map((e) => new ExpiryNode(e, urgencyOf({ notBefore: -Infinity, notAfter: e.notAfter }, now, this.store.configFor(e.file).rules)));
      const dated = (n: CertificateNode | CrlNode | ExpiryNode) => (n.kind === 'expiry' ? n.expiry.notAfter : dueOf(n));
      const pick = (u: Urgency[]): (CertificateNode | CrlNode | ExpiryNode)[] => {
        const picked: (CertificateNode | CrlNode | ExpiryNode)[] = nodes.filter((n) => u.includes(n.urgency));
        const more = expiries.filter((n) => u.includes(n.urgency));
        return more.length ? [...picked, ...more].sort((a, b) => dated(a) - dated(b)) : picked;
      };
      add('expired', t('Expired'), pick(['expired']), urgencyIcon('expired'));
      add('not-yet-valid', t('Not yet valid'), pick(['not-yet-valid']), urgencyIcon('not-yet-valid'));
      add('critical', t('Within critical days'), pick(['critical']), urgencyIcon('critical'));
      add('warning', t('Within warning days'), pick(['warning']), urgencyIcon('warning'));
      add('info', t('Within info days'), pick(['info']), urgencyIcon('info'));
      add('later', t('Later'), pick(['later']), urgencyIcon('later'));
    } else {
      const relative = new Map<string, string>();
      const relativePath = (file: string) =>
        relative.get(file) ?? relative.set(file, vscode.workspace.asRelativePath(keyToUri(file))).get(file)!;
      // By owner: one group per set of owners (a certificate appears once), unowned ones together.
      const ownerKey = (c: CertificateRecord | CrlRecord) => this.owners?.ownersOf(c.file).join(', ') || t('No owner');
      const keyOf = (c: CertificateRecord | CrlRecord) =>
        this.groupBy === 'file' ? relativePath(c.file) : this.groupBy === 'owner' ? ownerKey(c) : (c.issuerCN ?? c.issuer);
      const byKey = new Map<string, (CertificateNode | CrlNode)[]>();
      for (const n of nodes) {
        const k = keyOf(n.kind === 'certificate' ? n.cert : n.crl);
        const list = byKey.get(k);
        if (list) list.push(n);
        else byKey.set(k, [n]);
      }
      // Groups in order of their most urgent (earliest) certificate.
      for (const [k, list] of [...byKey].sort((a, b) => dueOf(a[1][0]) - dueOf(b[1][0]) || 0)) {
        add(
          `${this.groupBy}:${k}`,
          k,
          list,
          new vscode.ThemeIcon(this.groupBy === 'file' ? 'file' : this.groupBy === 'owner' ? 'person' : 'organization'),
        );
      }
    }
    // Hosts: the same urgency groups, for the certificates hosts named in the workspace serve.
    const now2 = this.store.now();
    const hostNodes = this.hosts
      .states()
      .filter((st) => !this.filter || st.target.key.toLowerCase().includes(this.filter))
      .map((st) => {
        const summary = hostSummary(st, this.store.configFor(st.target.references[0]?.file ?? '').rules, now2);
        return new HostNode(st, summary.text, summary.urgency);
      })
      .sort(
        (a, b) =>
          (a.state.result?.notAfter ?? Infinity) - (b.state.result?.notAfter ?? Infinity) ||
          a.state.target.key.localeCompare(b.state.target.key),
      );
    if (hostNodes.length) {
      const sub: GroupNode[] = [];
      const hostGroup = (id: string, label: string, us: string[], icon: vscode.ThemeIcon) => {
        const list = hostNodes.filter((n) => us.includes(n.urgency));
        if (list.length) sub.push(make(`hosts:${id}`, label, list, icon));
      };
      hostGroup('expired', t('Expired'), ['expired', 'not-yet-valid'], urgencyIcon('expired'));
      hostGroup('critical', t('Within critical days'), ['critical'], urgencyIcon('critical'));
      hostGroup('warning', t('Within warning days'), ['warning'], urgencyIcon('warning'));
      hostGroup('info', t('Within info days'), ['info'], urgencyIcon('info'));
      hostGroup('later', t('Later'), ['later'], urgencyIcon('later'));
      hostGroup(
        'unreachable',
        t('Unreachable'),
        ['unreachable'],
        new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('list.warningForeground')),
      );
      hostGroup('unchecked', t('Not checked'), ['unchecked'], new vscode.ThemeIcon('circle-outline'));
      add('hosts', t('Hosts'), sub, new vscode.ThemeIcon('globe'), String(hostNodes.length));
    }
    // Drift: repository certificates whose endpoint serves something else, one row per certificate and host (at the certificate).
    const drift = this.hosts
      .drift()
      .flatMap((r) => driftFindings([r], now2, this.store.configFor(r.certificate.file).rules).filter((f) => f.file === r.certificate.file))
      .filter((f) => !this.filter || f.file.toLowerCase().includes(this.filter) || f.message.toLowerCase().includes(this.filter))
      .map((f) => new ProblemNode(f));
    add('drift', t('Drift'), drift, new vscode.ThemeIcon('git-compare', new vscode.ThemeColor('list.warningForeground')));
    add(
      'problems',
      t('Problems'),
      problems.filter((f) => !this.store.setApart(f.file)).map((f) => new ProblemNode(f)),
      new vscode.ThemeIcon('bracket-error', new vscode.ThemeColor('list.errorForeground')),
    );
    const apartProblems = problems.filter((f) => this.store.setApart(f.file)).map((f) => new ProblemNode(f));
    add(
      NON_PRODUCTION_GROUP,
      t('Tests, examples and docs'),
      [...apart, ...apartProblems],
      new vscode.ThemeIcon('beaker'),
      t('{0} · findings are hints', apart.length + apartProblems.length),
    );
    return groups;
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.groups() as Node[];
    return node.kind === 'group' ? node.children : [];
  }

  getParent(node: Node): Node | undefined {
    return node.parent;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'host') {
      const { target } = node.state;
      const item = new vscode.TreeItem(hostLabel(target.host, target.port), vscode.TreeItemCollapsibleState.None);
      item.id = `host:${target.key}`;
      item.description = node.summary;
      item.tooltip = `${hostLabel(target.host, target.port)}\n${node.summary}\n${target.references.map((r) => `${vscode.workspace.asRelativePath(keyToUri(r.file))}:${r.range.start.line + 1}`).join('\n')}`;
      item.iconPath =
        node.urgency === 'unreachable'
          ? new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('list.warningForeground'))
          : node.urgency === 'unchecked'
            ? new vscode.ThemeIcon('globe')
            : urgencyIcon(node.urgency);
      item.contextValue = 'certlens.host';
      if (target.references[0]) item.command = { command: Commands.reveal, title: vscode.l10n.t('Reveal in Editor'), arguments: [node] };
      return item;
    }
    if (node.kind === 'group') {
      const collapsed =
        node.id === 'later' ||
        node.id === 'hosts:later' ||
        node.id === NON_PRODUCTION_GROUP ||
        (node.id === 'problems' && (this.roots?.length ?? 0) > 1);
      const item = new vscode.TreeItem(
        node.label,
        collapsed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded,
      );
      item.id = `group:${node.id}`;
      item.iconPath = node.icon;
      item.description = node.description;
      item.contextValue = 'certlens.group';
      return item;
    }
    if (node.kind === 'certificate') {
      const c = node.cert;
      const item = new vscode.TreeItem(certLabel(c), vscode.TreeItemCollapsibleState.None);
      item.id = `cert:${c.file}#${c.index}:${c.sha256}`;
      const folders = vscode.workspace.workspaceFolders ?? [];
      const folder = folders.length > 1 ? vscode.workspace.getWorkspaceFolder(keyToUri(c.file))?.name : undefined;
      const context = this.store.contextOf(c.file);
      item.description =
        this.fileNameOf(c.file) +
        whenText(c, this.store.now()) +
        (context !== 'production' ? ` · ${contextLabel(context)}` : '') +
        (folder ? ` · ${folder}` : '');
      item.iconPath = urgencyIcon(node.urgency);
      item.resourceUri = keyToUri(c.file);
      const tip = new vscode.MarkdownString(undefined, true);
      tip.supportHtml = false;
      tip.appendText(
        detailRows(
          c,
          this.store.certificates(),
          this.store.now(),
          this.store.contextOf(c.file),
          this.owners?.any ? this.owners.ownersOf(c.file) : undefined,
        )
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n'),
      );
      item.tooltip = tip;
      item.contextValue = 'certlens.certificate';
      item.command = { command: Commands.reveal, title: vscode.l10n.t('Reveal in Editor'), arguments: [node] };
      return item;
    }
    if (node.kind === 'expiry') {
      const e = node.expiry;
      const item = new vscode.TreeItem(e.label, vscode.TreeItemCollapsibleState.None);
      item.id = `expiry:${e.file}:${e.range.start.line}:${e.range.start.character}`;
      item.description = whenText({ notBefore: -Infinity, notAfter: e.notAfter }, this.store.now());
      item.iconPath = new vscode.ThemeIcon('clock', urgencyIcon(node.urgency).color);
      item.resourceUri = keyToUri(e.file);
      item.tooltip = `${e.label}\n${vscode.workspace.asRelativePath(keyToUri(e.file))}:${e.range.start.line + 1}`;
      item.contextValue = 'certlens.expiry';
      item.command = { command: Commands.reveal, title: vscode.l10n.t('Reveal in Editor'), arguments: [node] };
      return item;
    }
    if (node.kind === 'crl') {
      const c = node.crl;
      const item = new vscode.TreeItem(vscode.l10n.t('CRL · {0}', c.issuerCN ?? c.issuer), vscode.TreeItemCollapsibleState.None);
      item.id = `crl:${c.file}#${c.index}:${c.sha256}`;
      const now = this.store.now();
      const context = this.store.contextOf(c.file);
      const when =
        c.nextUpdate === undefined ? vscode.l10n.t('no next update') : whenText({ notBefore: -Infinity, notAfter: c.nextUpdate }, now);
      item.description = this.fileNameOf(c.file) + when + (context !== 'production' ? ` · ${contextLabel(context)}` : '');
      // Colored like a certificate of the same urgency, with an icon of its own.
      const color = urgencyIcon(node.urgency).color;
      item.iconPath = new vscode.ThemeIcon('circle-slash', color);
      item.resourceUri = keyToUri(c.file);
      item.tooltip = [
        describeCrl(c),
        ...crlRows(c, now).map(([k, v]) => `${k}: ${v}`),
        `${vscode.workspace.asRelativePath(keyToUri(c.file))}:${c.range.start.line + 1}`,
      ].join('\n');
      item.contextValue = 'certlens.crl';
      item.command = { command: Commands.reveal, title: vscode.l10n.t('Reveal in Editor'), arguments: [node] };
      return item;
    }
    const f = node.finding;
    const item = new vscode.TreeItem(vscode.workspace.asRelativePath(keyToUri(f.file)), vscode.TreeItemCollapsibleState.None);
    item.id = `problem:${f.file}:${f.range.start.line}:${f.range.start.character}:${f.code}${f.host ? `:${f.host}` : ''}`;
    item.description = f.message;
    item.tooltip = `${f.message} [${f.code}]`;
    item.iconPath = new vscode.ThemeIcon(
      LOCKED_CODES.has(f.code)
        ? 'lock'
        : f.severity === 'error'
          ? 'error'
          : f.severity === 'warning'
            ? 'warning'
            : f.severity === 'hint'
              ? 'lightbulb'
              : 'info',
    );
    item.contextValue = problemContextValue(f.code);
    item.command = { command: Commands.reveal, title: vscode.l10n.t('Reveal in Editor'), arguments: [node] };
    return item;
  }
}

/** Opens a file at a certificate's or problem's exact range; a file no text editor can show (a binary keystore) opens as VS Code decides. */
export async function revealLocation(file: string, range: Finding['range'], log: Log): Promise<void> {
  const editor = await vscode.window
    .showTextDocument(keyToUri(file), { preview: true })
    .then(undefined, (err: unknown) =>
      log.debug(`${file} does not open in a text editor (${errorMessage(err)}); opening it with vscode.open`),
    );
  if (!editor) {
    await vscode.commands.executeCommand('vscode.open', keyToUri(file));
    return;
  }
  const r = toVsRange(range);
  editor.selection = new vscode.Selection(r.start, r.end);
  editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
