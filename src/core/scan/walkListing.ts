import type { UnreadableFolder } from '../model';
import { DEFAULT_EXCLUDES, isSkippedByExtension, PathFilter } from './filters';

/** A folder's entry as a file system lists it (vscode.workspace.fs.readDirectory, without vscode). */
export interface ListedEntry {
  name: string;
  kind: 'file' | 'directory' | 'other';
}

/** The most files a listing walk returns: a web workspace's folders come one request at a time. */
export const MAX_LISTED_FILES = 50_000;

export interface ListingWalkOptions {
  include?: readonly string[];
  exclude?: readonly string[];
  /** Default MAX_LISTED_FILES. */
  maxFiles?: number;
  /** Folders listed at once (each may be a network request on github.dev). Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
  onUnreadable?: (folder: UnreadableFolder) => void;
}

export interface ListingWalk {
  /** Files under the root, as `root + '/' + relative path`, in no particular order. */
  files: string[];
  /** The walk stopped at maxFiles: files beyond it are not listed. */
  truncated: boolean;
}

/**
 * The files a scan reads under `root` (a URI string or a path), found by listing folders through
 * `list`: where vscode.workspace.findFiles cannot serve (a file system with no search provider,
 * github.dev's search which sees only committed files). The same include, exclude (pruning whole
 * folders) and skipped extensions as the walk of local folders (walkSync in files.ts); symbolic links
 * are not followed (a virtual file system lists their kind, not where they lead).
 */
export async function walkListing(
  root: string,
  list: (dir: string) => Promise<ListedEntry[]>,
  options: ListingWalkOptions = {},
): Promise<ListingWalk> {
  const filter = new PathFilter(options.include, options.exclude ?? DEFAULT_EXCLUDES);
  const maxFiles = options.maxFiles ?? MAX_LISTED_FILES;
  const base = root.endsWith('/') ? root.slice(0, -1) : root;
  const files: string[] = [];
  let truncated = false;
  const pending: string[] = [''];
  const listOne = async (rel: string) => {
    const dir = rel ? `${base}/${rel}` : base;
    let entries: ListedEntry[];
    try {
      entries = await list(dir);
    } catch (e) {
      options.onUnreadable?.({ path: dir, error: e instanceof Error ? e.message : String(e) });
      return;
    }
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.kind === 'directory') {
        if (!filter.skipsDirectory(childRel)) pending.push(childRel);
      } else if (e.kind === 'file' && !isSkippedByExtension(e.name) && filter.acceptsInAcceptedFolder(childRel)) {
        if (files.length >= maxFiles) {
          truncated = true;
          return;
        }
        files.push(`${base}/${childRel}`);
      }
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? 8);
  while (pending.length && !truncated && !options.signal?.aborted) {
    await Promise.all(pending.splice(0, concurrency).map(listOne));
  }
  return { files, truncated };
}
