/**
 * Entries the editor's quick fixes add to a team config: the new text of the whole file, with the
 * rest of its text and comments kept (yaml's Document API for YAML; JSON has no comments and is
 * written back indented). The caller applies it as a normal, undoable edit.
 */
import type * as YamlLib from 'yaml';
import type { FileContext } from '../context';

let yamlLib: typeof YamlLib | undefined;

/** The yaml package, loaded on first use (dist/yaml.js: a scan without a team config never needs it). */
function yaml(): typeof YamlLib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlLib ??= require('yaml') as typeof YamlLib);
}

/** A new ignore entry, as it is written. */
export interface IgnoreEntry {
  fingerprint?: string;
  path?: string;
  code?: string;
  reason: string;
  until?: string;
}

type Change = { kind: 'context'; context: FileContext; glob: string } | { kind: 'ignore'; entry: IgnoreEntry };

/** The text of a new team config: the version, then the change. */
function freshYaml(): string {
  return '# CertLens team config: read by the editor, the CLI, the GitHub Action and the pre-commit hook.\nversion: 1\n';
}

function isJson(fileName: string): boolean {
  return fileName.toLowerCase().endsWith('.json');
}

function applyJson(text: string | undefined, change: Change): string {
  let data: Record<string, unknown> = { version: 1 };
  if (text !== undefined && text.trim() !== '') {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('The team config is not a JSON object.');
    data = parsed as Record<string, unknown>;
  }
  if (change.kind === 'context') {
    const context = (data.context ??= {}) as Record<string, unknown>;
    const list = (context[change.context] ??= []) as unknown[];
    if (!list.includes(change.glob)) list.push(change.glob);
  } else {
    const list = (data.ignore ??= []) as unknown[];
    list.push(change.entry);
  }
  return JSON.stringify(data, null, 2) + '\n';
}

function applyYaml(text: string | undefined, change: Change): string {
  const blank = text === undefined || text.trim() === '';
  let doc = yaml().parseDocument(blank ? freshYaml() : text);
  // Only comments: they stay above the new keys.
  if (!blank && doc.contents === null && !doc.errors.length) doc = yaml().parseDocument(text.replace(/\s*$/, '\n') + 'version: 1\n');
  if (doc.errors.length) throw new Error(`The team config cannot be read: ${doc.errors[0].message.split('\n')[0]}`);
  if (!yaml().isMap(doc.contents)) throw new Error('The team config is not a mapping of keys.');
  if (change.kind === 'context') {
    const path = ['context', change.context];
    const list = doc.getIn(path);
    if (yaml().isSeq(list)) {
      if (!list.items.some((i) => String((i as { value?: unknown }).value ?? i) === change.glob)) list.add(doc.createNode(change.glob));
    } else doc.setIn(path, doc.createNode([change.glob]));
  } else {
    const list = doc.get('ignore');
    const entry = doc.createNode(Object.fromEntries(Object.entries(change.entry).filter(([, v]) => v !== undefined)));
    if (yaml().isSeq(list)) list.add(entry);
    else doc.set('ignore', doc.createNode([entry]));
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** The file's text with `glob` (relative to the config's folder) added to `context`; creates the file's text when `text` is undefined. */
export function withContextGlob(fileName: string, text: string | undefined, context: FileContext, glob: string): string {
  const change: Change = { kind: 'context', context, glob };
  return isJson(fileName) ? applyJson(text, change) : applyYaml(text, change);
}

/** The file's text with an ignore entry added. */
export function withIgnore(fileName: string, text: string | undefined, entry: IgnoreEntry): string {
  const change: Change = { kind: 'ignore', entry };
  return isJson(fileName) ? applyJson(text, change) : applyYaml(text, change);
}

/**
 * The folder a quick fix offers to mark as examples or tests for a file, relative to the config's
 * folder: the nearest folder whose name says example or sample (certs.example/, config/artifacts.example/,
 * ssl-sample/), else the file's own folder. Undefined for a file right in the config's folder.
 */
export function folderToClassify(relativeFile: string): { folder: string; example: boolean } | undefined {
  const parts = relativeFile.split('/');
  parts.pop();
  if (!parts.length) return undefined;
  for (let i = parts.length - 1; i >= 0; i--) {
    const name = parts[i].toLowerCase();
    if (/[.-]example$|example|sample/.test(name)) return { folder: parts.slice(0, i + 1).join('/'), example: true };
  }
  return { folder: parts.join('/'), example: false };
}
