import * as fs from 'node:fs';
import * as os from 'node:os';
import type { KeyObject } from 'node:crypto';
import * as vscode from 'vscode';
import { runInBackground } from '../../core/background';
import type { CertificateRecord, FileLocation } from '../../core/model';
import {
  buildCsr,
  generateKeyAsync,
  loadPrivateKey,
  type NewKeyAlgorithm,
  privateKeyPem,
  regenerateSelfSigned,
  toPem,
} from '../../core/renewal/csr';
import { Commands } from '../commandIds';
import { platform } from '../platform';
import type { Log } from '../log';
import type { CertificateStore } from '../store';
import { keyToUri, toVsRange } from '../uris';
import type { CertificateNode } from '../views/expirationsTree';

/** A certificate as code actions pass it. */
export interface RenewalCertArg {
  sha256: string;
  file?: string;
  index?: number;
}

/** Answers to the prompts of "Create a renewal request", for callers that know them (tests, scripts). */
export interface CsrAnswers {
  /** 'paired': the private key the workspace pairs with the certificate. */
  key?: 'paired' | NewKeyAlgorithm;
  csr?: vscode.Uri;
  keyOut?: vscode.Uri;
  /** Write a new key inside a workspace folder without asking. */
  keyInWorkspace?: boolean;
}

/** Answers to the prompts of "Regenerate this self-signed development certificate". */
export interface RegenerateAnswers {
  days?: number;
  keyOut?: vscode.Uri;
  keyInWorkspace?: boolean;
  /** Replace the block without asking. */
  confirm?: boolean;
}

const NEW_KEYS: { alg: NewKeyAlgorithm; label: () => string }[] = [
  { alg: 'p256', label: () => vscode.l10n.t('New EC P-256 key') },
  { alg: 'rsa2048', label: () => vscode.l10n.t('New RSA 2048 key') },
  { alg: 'rsa3072', label: () => vscode.l10n.t('New RSA 3072 key') },
  { alg: 'ed25519', label: () => vscode.l10n.t('New Ed25519 key') },
];

/** A PEM block written out line by line (in a .pem file or a YAML block scalar; not a JSON string with \\n escapes). */
const PEM_BLOCK = /^-----BEGIN CERTIFICATE-----\r?\n([ \t]*[A-Za-z0-9+/=]+\r?\n)+[ \t]*-----END CERTIFICATE-----$/;

/**
 * Whether "Regenerate this self-signed development certificate" applies: a self-signed leaf whose
 * range in `doc` is a PEM block (so the edit can replace it line for line).
 */
export function canRegenerate(c: CertificateRecord, doc: vscode.TextDocument): boolean {
  return (
    c.selfSigned && c.role === 'leaf' && (c.source === 'pem' || c.source === 'inline') && PEM_BLOCK.test(doc.getText(toVsRange(c.range)))
  );
}

function where(loc: FileLocation): string {
  return `${vscode.workspace.asRelativePath(keyToUri(loc.file))}:${loc.range.start.line + 1}`;
}

function nameOf(c: CertificateRecord): string {
  return c.subjectCN ?? (c.subject || c.sha256.slice(0, 16));
}

/**
 * Renewal from the editor: a CSR from a certificate, and a regenerated self-signed development
 * certificate. Keys are KeyObjects in memory and go only to files the user chose; messages and the
 * log name files, never key material.
 */
export class RenewalFeature implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  /** A modal question with one button; true when it was pressed. Replaceable by tests, which cannot answer a modal dialog. */
  confirm = async (message: string, button: string): Promise<boolean> =>
    (await vscode.window.showWarningMessage(message, { modal: true }, button)) === button;

  constructor(
    private readonly store: CertificateStore,
    private readonly log: Log,
  ) {
    const kind = vscode.CodeActionKind.Refactor.append('certlens');
    // On the web no key is made or used: the actions are not offered (their commands are hidden too).
    if (!platform.web)
      this.disposables.push(
        vscode.languages.registerCodeActionsProvider(
          { pattern: '**/*' },
          { provideCodeActions: (doc, range) => this.codeActions(doc, range, kind) },
          { providedCodeActionKinds: [kind] },
        ),
      );
    this.disposables.push(
      vscode.commands.registerCommand(Commands.createCsr, (arg?: RenewalCertArg | CertificateNode, answers?: CsrAnswers) =>
        this.run(Commands.createCsr, () => this.createCsr(arg, answers)),
      ),
      vscode.commands.registerCommand(
        Commands.regenerateSelfSigned,
        (arg?: RenewalCertArg | CertificateNode, answers?: RegenerateAnswers) =>
          this.run(Commands.regenerateSelfSigned, () => this.regenerate(arg, answers)),
      ),
    );
  }

  private async run<T>(id: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.log.error(`Command ${id} failed`, err);
      runInBackground(
        this.log,
        'Showing a message',
        vscode.window.showErrorMessage(vscode.l10n.t('CertLens: {0}', err instanceof Error ? err.message : String(err))),
      );
      return undefined;
    }
  }

  private codeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, kind: vscode.CodeActionKind): vscode.CodeAction[] {
    const result = this.store.fileResult(doc.uri);
    if (!result) return [];
    const actions: vscode.CodeAction[] = [];
    for (const c of result.certificates) {
      // By line: the cursor at the start of an indented block's line is on it.
      if (range.start.line < c.range.start.line || range.start.line > c.range.end.line) continue;
      const arg: RenewalCertArg = { sha256: c.sha256, file: c.file, index: c.index };
      const csr = new vscode.CodeAction(vscode.l10n.t('Create a renewal request (CSR)'), kind);
      csr.command = { title: csr.title, command: Commands.createCsr, arguments: [arg] };
      actions.push(csr);
      if (canRegenerate(c, doc)) {
        const regen = new vscode.CodeAction(vscode.l10n.t('Regenerate this self-signed development certificate'), kind);
        regen.command = { title: regen.title, command: Commands.regenerateSelfSigned, arguments: [arg] };
        actions.push(regen);
      }
    }
    return actions;
  }

  private resolve(arg?: RenewalCertArg | CertificateNode): CertificateRecord | undefined {
    if (arg && 'kind' in arg) return arg.cert;
    const all = this.store.allCertificates();
    if (!arg) {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return undefined;
      const file = this.store.fileResult(editor.document.uri);
      const pos = editor.selection.active;
      return (
        file?.certificates.find((c) => toVsRange(c.range).contains(pos)) ??
        (file?.certificates.length === 1 ? file.certificates[0] : undefined)
      );
    }
    return (
      all.find(
        (c) =>
          c.sha256 === arg.sha256 && (arg.file === undefined || c.file === arg.file) && (arg.index === undefined || c.index === arg.index),
      ) ?? all.find((c) => c.sha256 === arg.sha256)
    );
  }

  private noCertificate(): undefined {
    runInBackground(
      this.log,
      'Showing a message',
      vscode.window.showWarningMessage(vscode.l10n.t('CertLens: put the cursor on a certificate first (or use the code action on it).')),
    );
    return undefined;
  }

  /** The private key the workspace pairs with the certificate, read from its file (an open document's text first). */
  private async pairedKey(loc: FileLocation): Promise<KeyObject> {
    const uri = keyToUri(loc.file);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const range = toVsRange(loc.range);
    if (open) return loadPrivateKey(open.getText(range.isEmpty ? undefined : range));
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (range.isEmpty) return loadPrivateKey(bytes);
    const lines = Buffer.from(bytes).toString('utf8').split(/\r?\n/);
    const part = lines.slice(range.start.line, range.end.line + 1);
    // The end first: on a one-line range, cutting the start would move it.
    part[part.length - 1] = part[part.length - 1].slice(0, range.end.character);
    part[0] = part[0].slice(range.start.character);
    return loadPrivateKey(part.join('\n'));
  }

  /** Asks where a new key goes (outside the workspace by default) and warns before a workspace folder. */
  private async keyTarget(
    c: CertificateRecord,
    answers: { keyOut?: vscode.Uri; keyInWorkspace?: boolean },
  ): Promise<vscode.Uri | undefined> {
    const target =
      answers.keyOut ??
      (await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Save the new private key'),
        defaultUri: vscode.Uri.file(`${os.homedir()}/${safeName(nameOf(c))}.key`),
        filters: { [vscode.l10n.t('Private key')]: ['key', 'pem'] },
      }));
    if (!target) return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(target);
    if (folder && !answers.keyInWorkspace) {
      const write = vscode.l10n.t('Write the Key There');
      const answer = await this.confirm(
        vscode.l10n.t(
          '{0} is inside the workspace folder {1}: a private key there is easily committed. Write it there anyway?',
          vscode.workspace.asRelativePath(target),
          folder.name,
        ),
        write,
      );
      if (!answer) return undefined;
    }
    return target;
  }

  private async writeKey(target: vscode.Uri, key: KeyObject): Promise<void> {
    const pem = privateKeyPem(key);
    if (target.scheme === 'file') {
      // Readable by its owner only, whatever the file was before.
      fs.writeFileSync(target.fsPath, pem, { mode: 0o600 });
      fs.chmodSync(target.fsPath, 0o600);
    } else {
      await vscode.workspace.fs.writeFile(target, Buffer.from(pem));
    }
  }

  async createCsr(arg?: RenewalCertArg | CertificateNode, answers: CsrAnswers = {}): Promise<vscode.Uri | undefined> {
    const cert = this.resolve(arg);
    if (!cert) return this.noCertificate();
    let choice = answers.key;
    if (!choice) {
      const items: (vscode.QuickPickItem & { key: 'paired' | NewKeyAlgorithm })[] = [];
      if (cert.privateKey)
        items.push({
          label: vscode.l10n.t('$(key) The paired private key'),
          description: where(cert.privateKey),
          detail: vscode.l10n.t('The key the workspace holds for this certificate: the renewed certificate keeps it'),
          key: 'paired',
        });
      for (const k of NEW_KEYS)
        items.push({ label: k.label(), description: vscode.l10n.t('made on this machine, saved where you choose'), key: k.alg });
      const picked = await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t('Sign the request for {0} with', nameOf(cert)),
        ignoreFocusOut: true,
      });
      if (!picked) return undefined;
      choice = picked.key;
    }
    if (choice === 'paired' && !cert.privateKey)
      throw new Error(vscode.l10n.t('no private key in the workspace is paired with {0}', nameOf(cert)));
    const csrTarget =
      answers.csr ??
      (await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Save the certificate signing request'),
        defaultUri: vscode.Uri.joinPath(keyToUri(cert.file), '..', `${safeName(nameOf(cert))}.csr`),
        filters: { [vscode.l10n.t('Certificate signing request')]: ['csr', 'pem'] },
      }));
    if (!csrTarget) return undefined;
    let key: KeyObject;
    let keyTarget: vscode.Uri | undefined;
    if (choice === 'paired') {
      key = await this.pairedKey(cert.privateKey!);
    } else {
      keyTarget = await this.keyTarget(cert, answers);
      if (!keyTarget) return undefined;
      key = await generateKeyAsync(choice);
    }
    const csr = toPem('CERTIFICATE REQUEST', buildCsr(cert.der, key));
    if (keyTarget) await this.writeKey(keyTarget, key);
    await vscode.workspace.fs.writeFile(csrTarget, Buffer.from(csr));
    this.log.info(
      `Wrote a renewal request for ${cert.subject} (${where(cert)}) to ${csrTarget.toString(true)}, signed with ${choice === 'paired' ? 'the paired key' : `a new ${choice} key written to ${keyTarget?.toString(true)}`}`,
    );
    runInBackground(
      this.log,
      'Showing a message',
      vscode.window.showInformationMessage(
        keyTarget
          ? vscode.l10n.t(
              'CertLens: wrote the request for {0} to {1} and its new key to {2}.',
              nameOf(cert),
              vscode.workspace.asRelativePath(csrTarget),
              vscode.workspace.asRelativePath(keyTarget),
            )
          : vscode.l10n.t(
              'CertLens: wrote the request for {0} to {1}, signed with the paired key.',
              nameOf(cert),
              vscode.workspace.asRelativePath(csrTarget),
            ),
      ),
    );
    return csrTarget;
  }

  async regenerate(arg?: RenewalCertArg | CertificateNode, answers: RegenerateAnswers = {}): Promise<boolean> {
    const cert = this.resolve(arg);
    if (!cert) return this.noCertificate() ?? false;

    const uri = keyToUri(cert.file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const range = toVsRange(cert.range);
    if (!canRegenerate(cert, doc)) throw new Error(vscode.l10n.t('{0} is not a self-signed leaf certificate in a PEM block', nameOf(cert)));
    let days = answers.days;
    if (days === undefined) {
      const text = await vscode.window.showInputBox({
        title: vscode.l10n.t('Regenerate {0}', nameOf(cert)),
        prompt: vscode.l10n.t('Valid for how many days from now?'),
        value: '365',
        ignoreFocusOut: true,
        validateInput: (v) =>
          /^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 36500 ? undefined : vscode.l10n.t('A whole number of days, 1 to 36500'),
      });
      if (text === undefined) return false;
      days = Number(text.trim());
    }
    let key: KeyObject;
    let keyTarget: vscode.Uri | undefined;
    if (cert.privateKey) {
      key = await this.pairedKey(cert.privateKey);
    } else {
      keyTarget = await this.keyTarget(cert, answers);
      if (!keyTarget) return false;
      key = await generateKeyAsync(
        cert.keyType === 'RSA' ? ((cert.keyBits ?? 2048) > 2048 ? 'rsa3072' : 'rsa2048') : cert.keyType === 'Ed25519' ? 'ed25519' : 'p256',
      );
    }
    const now = this.store.now();
    const notBefore = new Date(Math.floor(now / 1000) * 1000);
    const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
    if (!answers.confirm) {
      const replace = vscode.l10n.t('Replace');
      const answer = await this.confirm(
        vscode.l10n.t(
          'Replace {0} at {1} with a new self-signed certificate valid until {2}, {3}? The file is changed in the editor, not saved: Save writes it, Undo takes it back.',
          nameOf(cert),
          where(cert),
          notAfter.toISOString().slice(0, 10),
          keyTarget
            ? vscode.l10n.t('with a new key saved to {0}', vscode.workspace.asRelativePath(keyTarget))
            : vscode.l10n.t('with the same key'),
        ),
        replace,
      );
      if (!answer) return false;
    }
    const der = regenerateSelfSigned(cert.der, key, { notBefore, notAfter });
    const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const indent = /^\s*/.exec(doc.lineAt(range.start.line).text.slice(0, range.start.character))?.[0] ?? '';
    const indented = /^\s*$/.test(indent) ? indent : '';
    const pem = toPem('CERTIFICATE', der, eol)
      .trimEnd()
      .split(eol)
      .join(eol + indented);
    if (keyTarget) await this.writeKey(keyTarget, key);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, range, pem);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(vscode.l10n.t('the editor refused the change to {0}', where(cert)));
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const end = doc.positionAt(doc.offsetAt(range.start) + pem.length);
    editor.selection = new vscode.Selection(range.start, end);
    editor.revealRange(new vscode.Range(range.start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.log.info(
      `Regenerated ${cert.subject} at ${where(cert)}: valid to ${notAfter.toISOString()}, ${keyTarget ? `new key written to ${keyTarget.toString(true)}` : 'same key'}; not saved`,
    );
    return true;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function safeName(s: string): string {
  return (
    s
      .replace(/^\*\./, 'wildcard.')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, 80) || 'certificate'
  );
}
