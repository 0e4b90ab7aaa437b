import { applyNonProductionPolicy, ContextClassifier, contextByFolder, type ContextGlobs, type ContextOf, type FileContext, type NonProductionPolicy } from '../context';
import type { CertificateRecord, FileResult, Finding, PrivateKeyRef, Range } from '../model';
import { evaluate, type RuleSettings } from '../rules/rules';
import { keyComesFirst } from '../scan/inventory';
import { meetsThreshold } from './formats';
import { addSummary, certificateJson, countCertificate, countFinding, emptySummary, findingJson, type HostJson, hostJson, isoTime, type Report, REPORT_VERSION } from './schema';

/**
 * The JSON report (schema.ts) written as it is serialised, byte for byte what
 * `JSON.stringify(buildReport(...), null, indent)` gives. Each file's certificates and findings are
 * serialised on the thread that parsed the file, as soon as it has (a ReportFragment); what needs
 * the whole tree — the certificates' order, private keys paired across files, the summary — is done
 * once every file is in, by writeJsonReport.
 */

/** What a thread needs to make a file's fragment; structured-clonable (it goes to the read worker). */
export interface FragmentSpec {
  now: number;
  rules: RuleSettings;
  contextGlobs: ContextGlobs;
  /** Files under these folders are classified by their path relative to the deepest; others relative to `cwd`. */
  folders: string[];
  cwd: string;
  policy: NonProductionPolicy;
  /** JSON.stringify's indent: spaces per level; none for one line. */
  indent?: number;
}

/**
 * JSON texts one after another: as made, or packed as UTF-8 (packTexts) with where each ends.
 * Packed, a fragment holds a few arrays however many certificates its file has: little for the
 * garbage collector to trace, and little to copy from the worker. A text as made is a string, or
 * its pieces (a certificate's members that its contents decide are encoded once, for all its copies).
 */
export type Text = string | (string | Uint8Array)[];
export type Texts = Text[] | PackedTexts;
export interface PackedTexts {
  bytes: Uint8Array;
  ends: number[];
}

/** One file's share of the report. */
export interface ReportFragment {
  file: string;
  context: FileContext;
  /** Its certificates, in the order the report lists them: when each expires, its place in the file, its key's hash. */
  notAfter: number[];
  index: number[];
  spkiSha256: string[];
  /** Each certificate's JSON, with `privateKey: null`. */
  certificates: Texts;
  /** Each certificate's rule findings, joined as array elements ('' for none). */
  certificateFindings: Texts;
  /** Its parse problems, joined as array elements: one text ('' for none). */
  problems: Texts;
  privateKeys: PrivateKeyRef[];
  /** Its findings after the non-production policy. */
  findings: number;
  /** Of them, `expired` findings that are not hints (what `--fail-on expired` fails on). */
  expiredNotHint: number;
  summary: Report['summary'];
}

/** What the report said, for the exit code. */
export interface ReportTotals {
  summary: Report['summary'];
  /** Whether a finding is at least `level` (expired|error|warning|info|hint|never, as --fail-on). */
  failing(level: string): boolean;
}

/** Findings that come from outside the files (checked hosts), and the scan's own figures. */
export interface ReportExtras {
  files: number;
  ms: number;
  hostFindings?: readonly Finding[];
  hosts?: readonly HostJson[];
}

/** Records sit two levels down (report → array → record). */
const RECORD_DEPTH = 2;

/** How JSON.stringify lays out text for one indent setting. */
class Layout {
  private readonly gap: string;
  /** Between two elements of a report array. */
  readonly separator: string;
  readonly oneLine: boolean;

  constructor(indent: number | undefined) {
    // JSON.stringify's own rules for a numeric indent.
    this.gap = ' '.repeat(Math.min(10, Math.max(0, Math.floor(indent ?? 0))));
    this.oneLine = !this.gap;
    this.separator = ',' + this.newline(RECORD_DEPTH);
  }

  newline(depth: number): string {
    return this.gap ? '\n' + this.gap.repeat(depth) : '';
  }

  /** `value` as JSON.stringify writes it `depth` levels down. */
  render(value: unknown, depth: number): string {
    const text = JSON.stringify(value, null, this.gap);
    // No string in JSON text holds a raw line break: every one is layout.
    return this.gap && depth ? text.replaceAll('\n', this.newline(depth)) : text;
  }

  member(name: string, first: boolean): string {
    return (first ? '' : ',') + this.newline(1) + JSON.stringify(name) + (this.gap ? ': ' : ':');
  }
}

/** A spec's context function, made once per thread for the spec in use (the worker gets a copy of it with each request). */
let contexts: { spec: FragmentSpec; key: string; contextOf: ContextOf } | undefined;

export function contextOfSpec(spec: FragmentSpec): ContextOf {
  if (contexts?.spec === spec) return contexts.contextOf;
  const key = JSON.stringify([spec.contextGlobs, spec.folders, spec.cwd]);
  if (contexts?.key !== key) contexts = { spec, key, contextOf: contextByFolder(new ContextClassifier(spec.contextGlobs), spec.folders, spec.cwd) };
  else contexts.spec = spec;
  return contexts.contextOf;
}

let layouts: { indent: number | undefined; layout: Layout } | undefined;

function layoutOf(indent: number | undefined): Layout {
  if (!layouts || layouts.indent !== indent) layouts = { indent, layout: new Layout(indent) };
  return layouts.layout;
}

/**
 * One-line JSON of records, written field by field: JSON.stringify spent ~6 us on each certificate,
 * most of it on members that depend on the certificate's contents alone (subject … extendedKeyUsage,
 * daysLeft included), which are rendered once per certificate and reused for its copies. The
 * members are those of certificateJson and findingJson, in their order (the tests compare the two).
 */
const oneLine = {
  /** Content members by sha256 (as UTF-8), for one `now`. */
  contents: new Map<string, Uint8Array>(),
  now: NaN,
  contentKeys: undefined as string[] | undefined,
  /** The last file name and its JSON: a file's certificates and findings come together. */
  file: '',
  fileJson: '""',

  quotedFile(file: string): string {
    if (file !== this.file) {
      this.file = file;
      this.fileJson = JSON.stringify(file);
    }
    return this.fileJson;
  },

  certificate(c: CertificateRecord, now: number, context: FileContext): Text {
    if (now !== this.now || this.contents.size > CONTENT_CACHE_LIMIT) {
      this.contents.clear();
      this.now = now;
    }
    let content = this.contents.get(c.sha256);
    if (content === undefined) {
      const json = certificateJson(c, now, context) as unknown as Record<string, unknown>;
      const keys = (this.contentKeys ??= contentKeysOf(json));
      const members: Record<string, unknown> = {};
      for (const k of keys) members[k] = json[k];
      this.contents.set(c.sha256, (content = Buffer.from(JSON.stringify(members).slice(1, -1))));
    }
    const chain = c.chain;
    return [
      `{"file":${this.quotedFile(c.file)},"range":${rangeLine(c.range)},"source":"${c.source}","index":${c.index},`,
      content,
      `,"role":"${c.role}","chainEarliestNotAfter":${chain ? `"${isoTime(chain.earliestNotAfter)}"` : 'null'},"chainEarliestIndex":${chain ? chain.earliestIndex : 'null'},"privateKey":null,"context":"${context}"}`,
    ];
  },

  finding(f: Finding, context: FileContext): string {
    return `{"file":${this.quotedFile(f.file)},"range":${rangeLine(f.range)},"severity":"${f.severity}","code":"${f.code}","message":${JSON.stringify(f.message)},"context":"${context}"` +
      `${f.sha256 ? `,"sha256":${JSON.stringify(f.sha256)}` : ''}${f.host ? `,"host":${JSON.stringify(f.host)}` : ''}}`;
  },
};

const CONTENT_CACHE_LIMIT = 20_000;

/** certificateJson's members from subject to extendedKeyUsage: what the certificate's contents decide. */
function contentKeysOf(json: Record<string, unknown>): string[] {
  const keys = Object.keys(json);
  return keys.slice(keys.indexOf('subject'), keys.indexOf('extendedKeyUsage') + 1);
}

function rangeLine(r: Range): string {
  return `{"start":{"line":${r.start.line},"character":${r.start.character}},"end":{"line":${r.end.line},"character":${r.end.character}}}`;
}

/** A file's certificates, rule findings and problems as report JSON; undefined when it has none of them. */
export function reportFragment(result: FileResult, spec: FragmentSpec): ReportFragment | undefined {
  if (!result.certificates.length && !result.problems.length && !result.privateKeys.length) return undefined;
  const contextOf = contextOfSpec(spec);
  const layout = layoutOf(spec.indent);
  const context = contextOf(result.file);
  const summary = emptySummary();
  let findings = 0;
  let expiredNotHint = 0;
  /** The findings that survive the policy, as joined JSON array elements. */
  const render = (list: readonly Finding[]): string => {
    const out: string[] = [];
    for (const f of applyNonProductionPolicy(list, contextOf, spec.policy)) {
      const findingContext = contextOf(f.file);
      countFinding(summary, f, findingContext);
      findings++;
      if (f.code === 'expired' && f.severity !== 'hint') expiredNotHint++;
      out.push(layout.oneLine ? oneLine.finding(f, findingContext) : layout.render(findingJson(f, findingContext), RECORD_DEPTH));
    }
    // One flat string (not a chain of concatenations, which cost a walk of the chain to encode).
    return out.length === 1 ? out[0] : out.join(layout.separator);
  };
  // In the order the report lists them (a file's certificates all carry its name), so that each
  // one's rule findings are the run the whole tree's evaluation would give it.
  const sorted = result.certificates.length > 1 ? [...result.certificates].sort((a, b) => a.notAfter - b.notAfter || a.index - b.index) : result.certificates;
  const starts: number[] = [];
  const ruleFindings = evaluate(sorted, spec.now, spec.rules, starts);
  const notAfter: number[] = [];
  const index: number[] = [];
  const spkiSha256: string[] = [];
  const certificates: Text[] = [];
  const certificateFindings: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const c = sorted[i];
    countCertificate(summary, context);
    notAfter.push(c.notAfter);
    index.push(c.index);
    spkiSha256.push(c.spkiSha256);
    // A file's certificates carry its name, hence its context. Private keys are paired across files by writeJsonReport.
    certificates.push(layout.oneLine ? oneLine.certificate(c, spec.now, context) : layout.render({ ...certificateJson(c, spec.now, context), privateKey: null }, RECORD_DEPTH));
    const end = starts[i + 1] ?? ruleFindings.length;
    certificateFindings.push(end > starts[i] ? render(ruleFindings.slice(starts[i], end)) : '');
  }
  const problems = [result.problems.length ? render(result.problems) : ''];
  return { file: result.file, context, notAfter, index, spkiSha256, certificates, certificateFindings, problems, privateKeys: result.privateKeys, findings, expiredNotHint, summary };
}

/**
 * Writes `text` as UTF-8 at `offset` (the caller made room), returning the bytes written. Buffer's
 * own utf8Write, where Node has it: write() checks its arguments first, which cost more than
 * encoding a certificate's 1 KB of JSON.
 */
const writeUtf8: (buffer: Buffer, text: string, offset: number) => number =
  typeof (Buffer.prototype as { utf8Write?: unknown }).utf8Write === 'function'
    ? (buffer, text, offset) => (buffer as Buffer & { utf8Write(text: string, offset: number): number }).utf8Write(text, offset)
    : (buffer, text, offset) => buffer.write(text, offset);

/**
 * Report text kept as UTF-8 in blocks outside the JavaScript heap: fragments wait there until the
 * whole tree is read (as strings, the garbage collector copied them again and again), and a worker
 * hands them over without a copy.
 */
export class TextBlocks {
  private block = Buffer.allocUnsafeSlow(0);
  private used = 0;

  constructor(private readonly blockSize = 1 << 20) {}

  /** Room for `most` bytes, at the returned offset of the returned block. */
  room(most: number): [Buffer, number] {
    if (this.used + most > this.block.length) {
      this.block = Buffer.allocUnsafeSlow(Math.max(this.blockSize, most));
      this.used = 0;
    }
    return [this.block, this.used];
  }

  taken(bytes: number): void {
    this.used += bytes;
  }
}

/**
 * Packs the fragments' texts as UTF-8: into `blocks` (this thread keeps them), or into one new
 * buffer, returned to be transferred with the fragments to another thread.
 */
export function packTexts(fragments: readonly ReportFragment[], blocks?: TextBlocks): ArrayBuffer | undefined {
  const lists: [ReportFragment, 'certificates' | 'certificateFindings' | 'problems', Text[]][] = [];
  let most = 0;
  let size = 0;
  const measure = (piece: string | Uint8Array) => {
    if (typeof piece !== 'string') {
      most += piece.length;
      size += piece.length;
    } else {
      most += piece.length * 3;
      if (!blocks) size += Buffer.byteLength(piece);
    }
  };
  for (const f of fragments) {
    for (const key of ['certificates', 'certificateFindings', 'problems'] as const) {
      const list = f[key];
      if (!Array.isArray(list)) continue;
      lists.push([f, key, list]);
      for (const text of list) {
        if (typeof text === 'string') measure(text);
        else text.forEach(measure);
      }
    }
  }
  const [buffer, start] = blocks ? blocks.room(most) : [Buffer.allocUnsafeSlow(size), 0];
  let at = start;
  const put = (piece: string | Uint8Array) => {
    if (typeof piece === 'string') at += writeUtf8(buffer, piece, at);
    else {
      buffer.set(piece, at);
      at += piece.length;
    }
  };
  for (const [f, key, list] of lists) {
    const from = at;
    const ends: number[] = [];
    for (const text of list) {
      if (typeof text === 'string') put(text);
      else text.forEach(put);
      ends.push(at - from);
    }
    // A plain view (Buffer's own subarray() is slower to call, and texts are cut from it often).
    f[key] = { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset + from, at - from), ends };
  }
  blocks?.taken(at - start);
  return blocks ? undefined : (buffer.buffer as ArrayBuffer);
}

/** Text `i` of a list, as one piece. */
function textAt(texts: Texts, i: number): string | Uint8Array {
  if (!Array.isArray(texts)) return texts.bytes.subarray(i ? texts.ends[i - 1] : 0, texts.ends[i]);
  const text = texts[i];
  return typeof text === 'string' ? text : Buffer.concat(text.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)));
}

/** UTF-8 gathered into chunks for the sink; `ready` holds chunks waiting to be written. */
class ByteOutput {
  private chunk: Buffer;
  private used = 0;
  readonly ready: Uint8Array[] = [];

  constructor(private readonly size: number) {
    this.chunk = Buffer.allocUnsafe(size);
  }

  /** One ASCII character. */
  putByte(byte: number): void {
    if (this.used === this.chunk.length) this.end();
    this.chunk[this.used++] = byte;
  }

  put(text: string | Uint8Array): void {
    const most = typeof text === 'string' ? text.length * 3 : text.length;
    if (this.used + most > this.chunk.length) this.end();
    if (most > this.chunk.length) this.ready.push(typeof text === 'string' ? Buffer.from(text) : text);
    else if (typeof text === 'string') this.used += writeUtf8(this.chunk, text, this.used);
    else {
      this.chunk.set(text, this.used);
      this.used += text.length;
    }
  }

  /** Ends the chunk being filled (the sink may keep it: a new one is begun). */
  end(): void {
    if (!this.used) return;
    this.ready.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(this.size);
    this.used = 0;
  }
}

/**
 * The fragments' certificates in the Inventory's order: by expiry, ties by file in code-unit order,
 * then by position in the file. Sorted as numbers (a comparator function called ~200,000 times for
 * 14,000 certificates took 30 ms): each certificate's key is the rank of its expiry among all,
 * times the slots of all files, plus its slot (its file's first slot, by file order, plus its index).
 */
function expiryOrder(files: readonly ReportFragment[]): { total: number; fileOf: Uint32Array; placeOf: Uint32Array; order: Uint32Array } {
  // The default sort compares strings by code units (the files are distinct).
  const fileIndex = new Map(files.map((f, i) => [f.file, i]));
  const firstSlot = new Float64Array(files.length);
  let slots = 0;
  for (const name of files.map((f) => f.file).sort()) {
    const fi = fileIndex.get(name)!;
    firstSlot[fi] = slots;
    slots += files[fi].index.reduce((most, index) => Math.max(most, index + 1), 0);
  }
  const total = files.reduce((n, f) => n + f.notAfter.length, 0);
  const fileOf = new Uint32Array(total);
  const placeOf = new Uint32Array(total);
  const expiries = new Float64Array(total);
  let n = 0;
  files.forEach((f, fi) => {
    for (let i = 0; i < f.notAfter.length; i++, n++) {
      fileOf[n] = fi;
      placeOf[n] = i;
      expiries[n] = f.notAfter[i];
    }
  });
  const distinct = [...new Set(expiries.slice().sort())];
  const expiryRank = new Map(distinct.map((t, i) => [t, i]));
  // Keys stay below distinct expiries × slots, at most about the square of the certificates: exact
  // as doubles up to some 90 million certificates, far beyond what a report holds in memory.
  const keys = new Float64Array(total);
  const bySlot = new Uint32Array(slots);
  for (let k = 0; k < total; k++) {
    const slot = firstSlot[fileOf[k]] + files[fileOf[k]].index[placeOf[k]];
    bySlot[slot] = k;
    keys[k] = expiryRank.get(expiries[k])! * slots + slot;
  }
  keys.sort();
  const order = new Uint32Array(total);
  for (let k = 0; k < total; k++) order[k] = bySlot[keys[k] % slots];
  return { total, fileOf, placeOf, order };
}

/**
 * Writes the report of the given fragments (in walk order; a file seen twice counts once) through
 * `write`, as UTF-8 in chunks of about `chunkSize` bytes, awaiting it when it returns a promise.
 */
export async function writeJsonReport(
  fragments: readonly ReportFragment[], extras: ReportExtras, spec: FragmentSpec, write: (chunk: Uint8Array) => void | Promise<void>, chunkSize = 1 << 20,
): Promise<ReportTotals> {
  const layout = layoutOf(spec.indent);
  const seen = new Set<string>();
  const files = fragments.filter((f) => !seen.has(f.file) && seen.add(f.file));
  // A key held in several files pairs with the first by path and position (as the Inventory pairs them).
  const keys = new Map<string, PrivateKeyRef>();
  for (const f of files) for (const k of f.privateKeys) if (keyComesFirst(k, keys.get(k.spkiSha256))) keys.set(k.spkiSha256, k);
  const { total, fileOf, placeOf, order } = expiryOrder(files);

  const contextOf = contextOfSpec(spec);
  const summary = emptySummary();
  let findingCount = 0;
  let expiredNotHint = 0;
  for (const f of files) {
    addSummary(summary, f.summary);
    findingCount += f.findings;
    expiredNotHint += f.expiredNotHint;
  }
  let hostFindings = '';
  for (const h of applyNonProductionPolicy(extras.hostFindings ?? [], contextOf, spec.policy)) {
    const json = findingJson(h, contextOf(h.file));
    countFinding(summary, h, json.context);
    findingCount++;
    if (h.code === 'expired' && h.severity !== 'hint') expiredNotHint++;
    hostFindings += (hostFindings ? layout.separator : '') + layout.render(json, RECORD_DEPTH);
  }

  const out = new ByteOutput(chunkSize);
  const written = async () => {
    for (let chunk = out.ready.shift(); chunk; chunk = out.ready.shift()) await write(chunk);
  };
  /** A report array of records already rendered: open, elements, close. */
  let first = true;
  const newline = Buffer.from(layout.newline(RECORD_DEPTH));
  const separator = Buffer.from(',' + layout.newline(RECORD_DEPTH));
  const element = (text: string | Uint8Array) => {
    if (!text.length) return;
    if (layout.oneLine) {
      if (!first) out.putByte(0x2c);
    } else out.put(first ? newline : separator);
    out.put(text);
    first = false;
  };
  const endArray = () => {
    out.put(first ? ']' : layout.newline(1) + ']');
    first = true;
  };

  out.put('{' + layout.member('version', true) + layout.render(REPORT_VERSION, 1) + layout.member('now', false) + layout.render(isoTime(spec.now), 1));
  out.put(layout.member('certificates', false) + '[');
  const unpaired = new Map<FileContext, string>();
  for (const k of order) {
    const f = files[fileOf[k]];
    const json = textAt(f.certificates, placeOf[k]);
    const key = keys.get(f.spkiSha256[placeOf[k]]);
    if (!key) element(json);
    else {
      // The JSON ends with its last two members, `"privateKey": null` and the context (ASCII): swap in the key.
      let tail = unpaired.get(f.context);
      if (tail === undefined) unpaired.set(f.context, (tail = layout.render({ privateKey: null, context: f.context }, RECORD_DEPTH).slice(1)));
      element(json.slice(0, json.length - tail.length));
      out.put(layout.render({ privateKey: { file: key.file, range: key.range }, context: f.context }, RECORD_DEPTH).slice(1));
    }
    if (out.ready.length) await written();
  }
  endArray();
  out.put(layout.member('findings', false) + '[');
  for (const f of files) {
    element(textAt(f.problems, 0));
    if (out.ready.length) await written();
  }
  for (const k of order) {
    element(textAt(files[fileOf[k]].certificateFindings, placeOf[k]));
    if (out.ready.length) await written();
  }
  element(hostFindings);
  endArray();
  const stats = { files: extras.files, certificates: total, findings: findingCount, ms: extras.ms };
  out.put(layout.member('stats', false) + layout.render(stats, 1) + layout.member('summary', false) + layout.render(summary, 1));
  if (extras.hosts) out.put(layout.member('hosts', false) + layout.render(extras.hosts.map((h) => hostJson(h, contextOf)), 1));
  out.put(layout.newline(0) + '}');
  out.end();
  await written();
  const severities = ['error', 'warning', 'info', 'hint'] as const;
  return {
    summary,
    failing: (level) => level === 'expired' ? expiredNotHint > 0
      : severities.some((s) => summary.production[s] + summary.nonProduction[s] > 0 && meetsThreshold(s, level)),
  };
}
