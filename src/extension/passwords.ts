import type { PasswordLookup } from './store';

/**
 * PKCS#12 passwords the user typed or let VS Code's secret storage keep, held in memory for the
 * session. Only the store (to open the file) and the unlock command see them; never written to
 * settings, logs or reports.
 */
export class SessionPasswords implements PasswordLookup {
  private readonly byFile = new Map<string, string>();

  passwordFor(file: string): string | undefined {
    return this.byFile.get(file);
  }

  unlockedFiles(): readonly string[] {
    return [...this.byFile.keys()];
  }

  remember(file: string, password: string): void {
    this.byFile.set(file, password);
  }
}
