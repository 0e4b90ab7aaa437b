import * as vscode from 'vscode';
import { runInBackground } from '../../core/background';
import { parseFile } from '../../core/formats/parse-file';
import type { SessionPasswords } from '../passwords';
import type { CertificateStore } from '../store';
import { keyToUri } from '../uris';
import type { Log } from '../log';
import { LOCKED_CODES } from '../../core/report/findingCodes';

const secretKey = (file: string) => `certlens.pkcs12:${keyToUri(file).toString()}`;

/**
 * Unlocking password-protected PKCS#12 files, and verifying Java keystores (JKS, JCEKS) whose
 * certificates were read without their password. Passwords live in memory for the session and, only
 * when the user agrees, in SecretStorage; never in settings, logs or reports.
 */
export class Pkcs12Feature implements vscode.Disposable {
  private readonly tried = new Set<string>();
  /** Locked and unverified keystores, kept up to date with the store's changes (an edit looks at its own file only). */
  private readonly locked = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly store: CertificateStore,
    private readonly passwords: SessionPasswords,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Log,
  ) {
    this.subscription = store.onDidChange((change) => {
      this.follow(change.files);
      if (this.locked.size) runInBackground(this.log, 'Opening PKCS#12 files with saved passwords', this.applyStoredPasswords());
    });
    this.follow(undefined);
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /** Locked PKCS#12 files, and Java keystores (JKS, JCEKS) read without a password: their integrity is unverified. */
  private lockedFiles(): string[] {
    return [...this.locked];
  }

  /** Updates the locked set for changed files (all of them: undefined). */
  private follow(files: readonly string[] | undefined): void {
    if (!files) this.locked.clear();
    for (const file of files ?? this.store.files()) {
      if (this.isLocked(file)) this.locked.add(file);
      else this.locked.delete(file);
    }
  }

  /** Parse results first (cheap); the file's findings only for the few that qualify (ignored paths, hidden contexts). */
  private isLocked(file: string): boolean {
    const r = this.store.resultOf(file);
    if (!r) return false;
    const locked = r.problems.some((p) => LOCKED_CODES.has(p.code)) && this.store.findingsIn(file).some((f) => LOCKED_CODES.has(f.code));
    return (
      locked ||
      (r.certificates.some((c) => (c.source === 'jks' || c.source === 'jceks') && c.keystore?.integrity === 'not-verified') &&
        this.store.certificatesIn(file).some((c) => c.keystore?.integrity === 'not-verified'))
    );
  }

  /** Opens locked files for which a password was saved earlier. */
  private async applyStoredPasswords(): Promise<void> {
    const retry: vscode.Uri[] = [];
    for (const file of this.lockedFiles()) {
      if (this.tried.has(file) || this.passwords.passwordFor(file) !== undefined) continue;
      this.tried.add(file);
      const pw = await this.secrets.get(secretKey(file));
      if (pw !== undefined) {
        this.passwords.remember(file, pw);
        retry.push(keyToUri(file));
      }
    }
    if (retry.length) {
      this.log.info(`Opening ${retry.length} PKCS#12 file(s) with a saved password`);
      await this.store.updateFiles(retry);
    }
  }

  async unlock(file?: string, password?: string, remember?: boolean): Promise<boolean> {
    if (!file) {
      const locked = this.lockedFiles();
      if (locked.length === 0) {
        runInBackground(
          this.log,
          'Showing a message',
          vscode.window.showInformationMessage(vscode.l10n.t('CertLens: no locked PKCS#12 file or unverified keystore in this workspace.')),
        );
        return false;
      }
      const pick =
        locked.length === 1
          ? locked[0]
          : (
              await vscode.window.showQuickPick(
                locked.map((f) => ({ label: vscode.workspace.asRelativePath(f), file: f })),
                { title: vscode.l10n.t('Unlock which keystore?') },
              )
            )?.file;
      if (!pick) return false;
      file = pick;
    }
    password ??= await vscode.window.showInputBox({
      password: true,
      title: vscode.l10n.t('Password for {0}', vscode.workspace.asRelativePath(file)),
      ignoreFocusOut: true,
    });
    if (password === undefined) return false;
    const bytes = await vscode.workspace.fs.readFile(keyToUri(file));
    const opened = parseFile(file, bytes, { pkcs12Password: () => password });
    if (
      opened.problems.some((p) => p.code === 'pkcs12-wrong-password' || p.code === 'pkcs12-invalid' || p.code === 'keystore-wrong-password')
    ) {
      runInBackground(
        this.log,
        'Showing a message',
        vscode.window.showErrorMessage(vscode.l10n.t('CertLens: that password does not open {0}.', vscode.workspace.asRelativePath(file))),
      );
      return false;
    }
    this.passwords.remember(file, password);
    if (remember === undefined) {
      const yes = vscode.l10n.t('Remember');
      remember =
        (await vscode.window.showInformationMessage(
          vscode.l10n.t("Remember this password in VS Code's secret storage?"),
          yes,
          vscode.l10n.t('Not now'),
        )) === yes;
    }
    if (remember) await this.secrets.store(secretKey(file), password);
    this.log.info(
      `Unlocked ${vscode.workspace.asRelativePath(file)}; its password is kept ${remember ? 'in secret storage' : 'for this session'}`,
    );
    await this.store.updateFiles([keyToUri(file)]);
    return true;
  }
}
