/** Runs `fn` once per burst of triggers, `delayMs` after the first; `flush()` runs pending work now. */
export class Coalescer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly fn: () => void,
    private readonly delayMs: number,
  ) {}

  trigger(): void {
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.fn();
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** UI that summarises the whole workspace (tree, status bar, badges) refreshes at most this often. */
export const SUMMARY_REFRESH_MS = 100;
