import { type JSONVisitor, visit } from 'jsonc-parser';
import type { ConfigFormat } from '../formats/configFormats';

/**
 * One scalar value in a config file with the keys leading to it: `spring.redis.host = x`,
 * `services: app: environment: - DB_HOST=x`, `{"db": {"port": 5432}}`. List elements have their
 * index as the last path segment and `item` set.
 */
export interface Pair {
  path: string[];
  value: string;
  /** Offsets of the value text (inside quotes) in the file. */
  start: number;
  end: number;
  item?: boolean;
  /** Values sharing a group belong to the same object (for name/value pairs). */
  group?: string;
  /** YAML document index, for `kind:`. */
  doc?: number;
  /** A `value` whose sibling names it (`{name: DOCS_URL, value: …}`): read under that name, not here. */
  named?: boolean;
}

/** A YAML block scalar (`key: |`): text that may be a whole config file (a ConfigMap's `nginx.conf: |`). */
export interface Block {
  path: string[];
  /** Offsets of the block's content lines in the file. */
  start: number;
  end: number;
  doc: number;
}

export interface PairSet {
  pairs: Pair[];
  /** `kind:` of each YAML document. */
  kinds: (string | undefined)[];
  /** YAML block scalars. */
  blocks: Block[];
}

/**
 * Key/value pairs of a structured config format; undefined for formats read by their own detector.
 * JSON may keep its comments (jsonc-parser skips them); other formats need them blanked first.
 */
export function extractPairs(format: ConfigFormat, text: string): PairSet | undefined {
  let set: PairSet;
  switch (format) {
    case 'yaml':
      set = yamlPairs(text);
      break;
    case 'json':
      set = { pairs: jsonPairs(text), kinds: [], blocks: [] };
      break;
    case 'toml':
    case 'ini':
    case 'properties':
    case 'env':
      set = { pairs: flatPairs(text, format), kinds: [], blocks: [] };
      break;
    case 'hcl':
      set = { pairs: hclPairs(text), kinds: [], blocks: [] };
      break;
    case 'xml':
      set = { pairs: xmlPairs(text), kinds: [], blocks: [] };
      break;
    default:
      return undefined;
  }
  for (const p of namedValues(set.pairs)) set.pairs.push(p);
  return set;
}

/** How a JSON text that holds pairs begins: a BOM and blanks, then an object, an array or a comment. */
const JSON_START = /^\uFEFF?\s*[[{/]/;

/**
 * False when a text of this format cannot hold key/value pairs: JSON that does not open an object
 * or an array (or a comment) first has none, and jsonc-parser's error recovery took 0.3 ms per KB
 * to say so.
 */
export function mayHoldPairs(format: ConfigFormat, text: string): boolean {
  return format !== 'json' || JSON_START.test(text);
}

/** Most lines a pair extractor reads; beyond that a file is data, not config. */
const MAX_LINES = 200_000;

interface Line {
  start: number;
  text: string;
}

function* lines(text: string): Generator<Line> {
  let from = 0;
  for (let n = 0; from <= text.length && n < MAX_LINES; n++) {
    let end = text.indexOf('\n', from);
    if (end < 0) end = text.length;
    const raw = text.slice(from, end);
    yield { start: from, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw };
    if (end >= text.length) return;
    from = end + 1;
  }
}

interface Scalar {
  value: string;
  start: number;
  end: number;
}

/** A quoted or plain scalar starting at `from` in `s`; offsets relative to `s`. Plain runs to `stop`. */
function scalarAt(s: string, from: number, stop: RegExp = /$/): Scalar | undefined {
  let i = from;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  const q = s[i];
  if (q === '"' || q === "'") {
    let j = i + 1;
    while (j < s.length && s[j] !== q) j += s[j] === '\\' && q === '"' ? 2 : 1;
    if (j >= s.length) return undefined;
    return { value: s.slice(i + 1, j), start: i + 1, end: j };
  }
  const rest = s.slice(i);
  const m = stop.exec(rest);
  const raw = m ? rest.slice(0, m.index) : rest;
  const value = raw.trimEnd();
  if (!value) return undefined;
  return { value, start: i, end: i + value.length };
}

/** Items of a one-line flow list `[a, "b", c]` starting at `open` (the '['). */
function flowItems(s: string, open: number): Scalar[] {
  const close = s.indexOf(']', open);
  if (close < 0) return [];
  const out: Scalar[] = [];
  let i = open + 1;
  while (i < close) {
    const item = scalarAt(s, i, /\s*[,\]]/);
    let next = s.indexOf(',', item ? item.end + (s[item.end] === '"' || s[item.end] === "'" ? 1 : 0) : i);
    if (next < 0 || next > close) next = close;
    if (item && item.end <= close) out.push(item);
    i = next + 1;
  }
  return out;
}

/** Pairs of a one-line inline map `{a: 1, b = "x"}` starting at `open`. */
function inlineMap(s: string, open: number, sep: ':' | '='): { key: string; scalar: Scalar }[] {
  const close = s.lastIndexOf('}');
  if (close < open) return [];
  const out: { key: string; scalar: Scalar }[] = [];
  const re = sep === ':' ? /["']?([\w.-]+)["']?\s*:\s*/y : /["']?([\w.-]+)["']?\s*=\s*/y;
  let i = open + 1;
  while (i < close) {
    while (i < close && /[\s,]/.test(s[i])) i++;
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) break;
    const scalar = scalarAt(s, re.lastIndex, /\s*[,}]/);
    if (scalar && scalar.end <= close) out.push({ key: m[1], scalar });
    const comma = s.indexOf(',', scalar ? scalar.end : re.lastIndex);
    if (comma < 0 || comma > close) break;
    i = comma + 1;
  }
  return out;
}

/**
 * The key at the start of `rest` (`key: value`, `"key": value`), found by scanning rather than
 * with a backtracking regex, so hostile lines stay linear. `length` runs through the colon.
 */
function yamlKey(rest: string): { name: string; length: number } | undefined {
  const q = rest[0];
  let end: number;
  let name: string;
  if (q === '"' || q === "'") {
    let j = 1;
    while (j < rest.length && rest[j] !== q) j += q === '"' && rest[j] === '\\' ? 2 : 1;
    if (j >= rest.length) return undefined;
    name = rest.slice(1, j);
    end = j + 1;
    while (rest[end] === ' ' || rest[end] === '\t') end++;
    if (rest[end] !== ':') return undefined;
  } else {
    if (!q || '?:,[]{}#&*!|>%@`'.includes(q) || q === ' ' || q === '\t' || (q === '-' && (rest[1] === ' ' || rest[1] === undefined)))
      return undefined;
    end = rest.indexOf(':');
    while (end >= 0 && end + 1 < rest.length && rest[end + 1] !== ' ' && rest[end + 1] !== '\t') end = rest.indexOf(':', end + 1);
    if (end < 0) return undefined;
    name = rest.slice(0, end).trimEnd();
  }
  const after = rest[end + 1];
  if (after !== undefined && after !== ' ' && after !== '\t') return undefined;
  return { name, length: end + 1 };
}
const ENV_ITEM = /^([A-Za-z_][A-Za-z0-9_.]*)=(.*)$/;

/**
 * YAML by indentation, tolerant of templates (Helm) that are not valid YAML. Lines indented deeper
 * than a key or item that already has a value continue that value (a plain or quoted scalar over
 * several lines, a block scalar): they are never read as keys, so `More info: https://…` inside a
 * wrapped description is not a setting.
 */
function yamlPairs(text: string): PairSet {
  const pairs: Pair[] = [];
  const blocks: Block[] = [];
  const kinds: (string | undefined)[] = [undefined];
  let doc = 0;
  let stack: { indent: number; seg: string; item?: boolean }[] = [];
  let counters = new Map<string, number>();
  /** Lines indented deeper than this continue the previous value. */
  let valueIndent = -1;
  /** The block scalar whose lines are being skipped, if any. */
  let block: Block | undefined;
  const closeBlock = () => {
    if (block && block.end > block.start) blocks.push(block);
    block = undefined;
  };
  const segs = () => stack.map((e) => e.seg);
  const emit = (path: string[], lineStart: number, sc: Scalar, item = false, group?: string) => {
    pairs.push({ path, value: sc.value, start: lineStart + sc.start, end: lineStart + sc.end, item: item || undefined, doc, group });
    if (path.length === 1 && path[0] === 'kind') kinds[doc] = sc.value;
  };
  for (const { start, text: line } of lines(text)) {
    const indent = line.search(/\S/);
    if (indent < 0) continue;
    if (valueIndent >= 0) {
      if (indent > valueIndent) {
        if (block) {
          if (block.start < 0) block.start = start;
          block.end = start + line.length;
        }
        continue;
      }
      valueIndent = -1;
      closeBlock();
    }
    if (indent === 0 && /^(?:---|\.\.\.)(?:\s|$)/.test(line)) {
      stack = [];
      counters = new Map();
      kinds.push(undefined);
      doc++;
      continue;
    }
    let pos = indent;
    let dash = -1;
    while (line[pos] === '-' && (pos + 1 === line.length || line[pos + 1] === ' ' || line[pos + 1] === '\t')) {
      while (
        stack.length &&
        (stack[stack.length - 1].indent > pos || (stack[stack.length - 1].indent === pos && stack[stack.length - 1].item))
      )
        stack.pop();
      const id = `${segs().join('\0')}@${pos}`;
      const index = counters.get(id) ?? 0;
      counters.set(id, index + 1);
      stack.push({ indent: pos, seg: String(index), item: true });
      dash = pos;
      pos++;
      while (line[pos] === ' ' || line[pos] === '\t') pos++;
    }
    const isItem = dash >= 0;
    const rest = line.slice(pos);
    if (!rest) continue;
    const key = yamlKey(rest);
    if (key) {
      const name = key.name;
      if (!isItem) while (stack.length && stack[stack.length - 1].indent >= pos) stack.pop();
      // Anchors and tags (`&defaults`, `!!binary`) come before the value, which may be on the next lines.
      const after = skipYamlProps(line, pos + key.length);
      const valueText = line.slice(after).trim();
      const path = [...segs(), name];
      if (!valueText) {
        stack.push({ indent: pos, seg: name });
        continue;
      }
      valueIndent = pos;
      if (BLOCK_SCALAR.test(valueText)) {
        block = { path, start: -1, end: -1, doc };
      } else if (valueText.startsWith('[')) {
        flowItems(line, line.indexOf('[', after)).forEach((sc, i) => emit([...path, String(i)], start, sc, true));
      } else if (valueText.startsWith('{')) {
        const group = `${start}`;
        for (const { key: k, scalar } of inlineMap(line, line.indexOf('{', after), ':')) emit([...path, k], start, scalar, false, group);
      } else {
        const sc = scalarAt(line, after);
        if (sc) emit(path, start, sc, false, isItem || stack.length ? segs().join('\0') : undefined);
      }
      continue;
    }
    if (!isItem) continue;
    valueIndent = dash;
    if (BLOCK_SCALAR.test(rest)) {
      block = { path: segs(), start: -1, end: -1, doc };
      continue;
    }
    const sc = scalarAt(line, pos);
    if (!sc) continue;
    const env = ENV_ITEM.exec(sc.value);
    if (env) {
      // `- DB_HOST=db.example.net` in compose `environment:` lists: key DB_HOST under the list's key.
      const valueOffset = sc.start + env[1].length + 1;
      const inner = scalarAt(line.slice(0, sc.end), valueOffset);
      if (inner) emit([...segs().slice(0, -1), env[1]], start, inner);
    } else if (!/^[[{]/.test(sc.value)) {
      emit(segs(), start, sc, true);
    }
  }
  closeBlock();
  return { pairs, kinds, blocks };
}

/** A block scalar header: `|`, `>-`, `|2+` (a comment after it is already blanked). */
const BLOCK_SCALAR = /^[|>][-+0-9]*\s*$/;

/** Skips YAML anchors and tags (`&a`, `!!str`) before a value. */
function skipYamlProps(line: string, from: number): number {
  const re = /[ \t]*[&!][^\s]*(?:[ \t]+|$)/y;
  let i = from;
  for (;;) {
    re.lastIndex = i;
    if (!re.exec(line)) return i;
    i = re.lastIndex;
  }
}

/**
 * JSON and JSONC through jsonc-parser's visitor, which skips comments, accepts trailing commas and
 * recovers from broken input. Values keep their raw text (escapes as written) so offsets stay exact.
 */
function jsonPairs(text: string): Pair[] {
  const pairs: Pair[] = [];
  if (!mayHoldPairs('json', text)) return pairs;
  /** One object or array; `prefix` is the path to it, computed once. */
  type Frame = { array: boolean; key?: string; index: number; prefix: string[]; id: string };
  const stack: Frame[] = [];
  let frames = 0;
  const segment = (f: Frame) => (f.array ? String(f.index) : f.key);
  const open = (array: boolean) => {
    const parent = stack[stack.length - 1];
    const seg = parent && segment(parent);
    stack.push({
      array,
      index: 0,
      prefix: parent ? (seg === undefined ? parent.prefix : [...parent.prefix, seg]) : [],
      id: String(frames++),
    });
  };
  const close = () => {
    stack.pop();
  };
  const visitor: JSONVisitor = {
    onObjectBegin: () => open(false),
    onArrayBegin: () => open(true),
    onObjectEnd: close,
    onArrayEnd: close,
    onObjectProperty: (property) => {
      const top = stack[stack.length - 1];
      if (top) top.key = property;
    },
    onSeparator: (separator) => {
      const top = stack[stack.length - 1];
      if (separator !== ',' || !top) return;
      if (top.array) top.index++;
      else top.key = undefined;
    },
    onLiteralValue: (_value, offset, length) => {
      const top = stack[stack.length - 1];
      const seg = top && segment(top);
      if (seg === undefined || stack.length > MAX_JSON_DEPTH) return;
      const quoted = text.charCodeAt(offset) === 34;
      const start = quoted ? offset + 1 : offset;
      const closed = quoted && length >= 2 && text.charCodeAt(offset + length - 1) === 34;
      const end = closed ? offset + length - 1 : offset + length;
      pairs.push({ path: [...top.prefix, seg], value: text.slice(start, end), start, end, item: top.array || undefined, group: top.id });
    },
  };
  try {
    visit(text, visitor, { allowTrailingComma: true });
  } catch (e) {
    // The parser recurses once per nesting level: thousands of levels overflow the stack. Such a
    // file is data, not config; the values read before that point are kept.
    if (!(e instanceof RangeError)) throw e;
  }
  return pairs;
}

/** Values nested deeper than this are data, not config. */
const MAX_JSON_DEPTH = 256;

/** Whether a Java properties line goes on in the next one: it ends in an odd number of backslashes. */
function continuesValue(line: string): boolean {
  let n = 0;
  while (n < line.length && line[line.length - 1 - n] === '\\') n++;
  return n % 2 === 1;
}

/**
 * TOML, INI, Java properties and .env: sections (TOML/INI) and `key = value` lines. A properties
 * value continued over several lines (`key=a\` then `  b`) is read line by line under its key: a
 * continuation line is never a key of its own (`<web-app xmlns="https://…"\n\` inside Tomcat's
 * message templates is not a setting `<web-app` naming jakarta.ee).
 */
function flatPairs(text: string, format: 'toml' | 'ini' | 'properties' | 'env'): Pair[] {
  const pairs: Pair[] = [];
  let section: string[] = [];
  let inMultiline = false;
  /** Whether this line continues the last one's value (properties), and that value's key if it had one. */
  let continuing = false;
  let continuedKey: string[] | undefined;
  const keyLine =
    format === 'properties'
      ? /^([^=:\s\\]+)[ \t]*[=:\s][ \t]*/
      : format === 'env'
        ? /^(?:export[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*=[ \t]*/
        : /^("[^"]*"|'[^']*'|[^=:\s"'[][^=:]*?)[ \t]*[=:][ \t]*/;
  for (const { start, text: whole } of lines(text)) {
    if (inMultiline) {
      if (/"""|'''/.test(whole)) inMultiline = false;
      continue;
    }
    const continues = format === 'properties' && continuesValue(whole);
    const line = continues ? whole.slice(0, -1) : whole;
    if (continuing) {
      const sc = continuedKey && scalarAt(line, 0);
      if (sc && continuedKey) pairs.push({ path: continuedKey, value: sc.value, start: start + sc.start, end: start + sc.end, group: '' });
      continuing = continues;
      continue;
    }
    continuing = continues;
    continuedKey = undefined;
    const indent = line.search(/\S/);
    if (indent < 0) continue;
    const body = line.slice(indent);
    if ((format === 'toml' || format === 'ini') && body.startsWith('[')) {
      const m = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(body);
      if (m) section = format === 'toml' ? splitDotted(m[1]) : m[1].split(/[\s.]+/).map(unquote);
      continue;
    }
    const m = keyLine.exec(body);
    if (!m) continue;
    const keyPath = format === 'env' ? [m[1]] : splitDotted(m[1]);
    const path = [...section, ...keyPath];
    if (continues) continuedKey = path;
    const valueFrom = indent + m[0].length;
    const first = line[valueFrom];
    if (format === 'toml' && (line.startsWith('"""', valueFrom) || line.startsWith("'''", valueFrom))) {
      if (!/"""|'''/.test(line.slice(valueFrom + 3))) inMultiline = true;
      continue;
    }
    if (format === 'toml' && first === '[') {
      flowItems(line, valueFrom).forEach((sc, i) =>
        pairs.push({ path: [...path, String(i)], value: sc.value, start: start + sc.start, end: start + sc.end, item: true }),
      );
      continue;
    }
    if (format === 'toml' && first === '{') {
      const group = `${start}`;
      for (const { key, scalar } of inlineMap(line, valueFrom, '='))
        pairs.push({ path: [...path, key], value: scalar.value, start: start + scalar.start, end: start + scalar.end, group });
      continue;
    }
    const sc = format === 'toml' ? scalarAt(line, valueFrom, /\s*(?:#|$)/) : scalarAt(line, valueFrom);
    if (sc) pairs.push({ path, value: sc.value, start: start + sc.start, end: start + sc.end, group: section.join('\0') });
  }
  return pairs;
}

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}

function splitDotted(key: string): string[] {
  const out: string[] = [];
  const re = /\s*("[^"]*"|'[^']*'|[^.]+)\s*(?:\.|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key)) && m[0]) out.push(unquote(m[1].trim()));
  return out;
}

/**
 * An unquoted HCL value that traverses something: `var.domain`, `local.fqdn`, `module.db.host`,
 * `data.aws_lb.main.dns_name`, `each.value`, `self.ipv4_address`, `path.module`, `aws_instance.web.private_dns`.
 * An expression, not a literal: HCL quotes every literal string, so `host = var.domain` is not the host `var.domain`.
 */
const HCL_TRAVERSAL = /^[A-Za-z_][\w-]*(?:\.[\w*-]|\[)/;

/** Whether the scalar at [start, end) of `line` is an HCL expression rather than a literal string (see HCL_TRAVERSAL). */
function isHclExpression(line: string, sc: Scalar): boolean {
  const before = line[sc.start - 1];
  return before !== '"' && before !== "'" && HCL_TRAVERSAL.test(sc.value);
}

/** Terraform / HCL: blocks by braces, `key = value` attributes, one-line lists and objects; expressions are left out. */
function hclPairs(text: string): Pair[] {
  const pairs: Pair[] = [];
  const stack: string[][] = [];
  let heredoc: string | undefined;
  let block = 0;
  for (const { start, text: line } of lines(text)) {
    if (heredoc) {
      if (line.trim() === heredoc) heredoc = undefined;
      continue;
    }
    const body = line.trim();
    if (!body) continue;
    if (/^[}\]],?$/.test(body)) {
      stack.pop();
      continue;
    }
    const open = /^([\w-]+)((?:[ \t]+(?:"[^"]*"|[\w-]+))*)[ \t]*(?:=[ \t]*)?\{$/.exec(body);
    if (open) {
      const labels = open[2].trim()
        ? open[2]
            .trim()
            .split(/[ \t]+/)
            .map(unquote)
        : [];
      stack.push([open[1], ...labels, `#${block++}`]);
      continue;
    }
    const attr = /^([\w-]+|"[^"]*")[ \t]*=[ \t]*/.exec(body);
    if (!attr) continue;
    const indent = line.indexOf(body);
    const path = [...stack.flat().filter((s) => !s.startsWith('#')), unquote(attr[1])];
    const group = stack.length ? stack[stack.length - 1][stack[stack.length - 1].length - 1] : '';
    const valueFrom = indent + attr[0].length;
    const hd = /^<<-?([A-Z_]+)\s*$/.exec(line.slice(valueFrom));
    if (hd) {
      heredoc = hd[1];
      continue;
    }
    if (line[valueFrom] === '[') {
      flowItems(line, valueFrom).forEach((sc, i) => {
        if (!isHclExpression(line, sc))
          pairs.push({ path: [...path, String(i)], value: sc.value, start: start + sc.start, end: start + sc.end, item: true });
      });
    } else if (line[valueFrom] === '{') {
      if (!line.includes('}', valueFrom)) {
        stack.push([unquote(attr[1]), `#${block++}`]);
        continue;
      }
      const g = `${start}`;
      for (const { key, scalar } of inlineMap(line, valueFrom, '='))
        if (!isHclExpression(line, scalar))
          pairs.push({ path: [...path, key], value: scalar.value, start: start + scalar.start, end: start + scalar.end, group: g });
    } else {
      const sc = scalarAt(line, valueFrom, /\s*(?:,\s*)?$/);
      if (sc && !isHclExpression(line, sc)) pairs.push({ path, value: sc.value, start: start + sc.start, end: start + sc.end, group });
    }
  }
  return pairs;
}

const XML_TOKEN = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!\[CDATA\[[\s\S]*?\]\]>|<[?!][^>]*>/g;
const XML_ATTR = /([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

/** XML: attributes and text-only elements, with element names as the path. */
function xmlPairs(text: string): Pair[] {
  const pairs: Pair[] = [];
  const stack: string[] = [];
  let elements = 0;
  let open: { name: string; textFrom: number } | undefined;
  XML_TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = XML_TOKEN.exec(text))) {
    if (!m[2]) continue;
    const [, closing, name, attrs, selfClosing] = m;
    if (closing) {
      if (open && open.name === name) {
        const raw = text.slice(open.textFrom, m.index);
        const lead = raw.length - raw.trimStart().length;
        const value = raw.trim();
        if (value) pairs.push({ path: [...stack], value, start: open.textFrom + lead, end: open.textFrom + lead + value.length });
      }
      open = undefined;
      const at = stack.lastIndexOf(name);
      if (at >= 0) stack.length = at;
      continue;
    }
    const local = name.replace(/^[\w.-]+:/, '');
    const group = String(elements++);
    if (attrs) {
      const attrStart = m.index + 1 + name.length;
      XML_ATTR.lastIndex = 0;
      let a: RegExpExecArray | null;
      while ((a = XML_ATTR.exec(attrs))) {
        const value = a[3] ?? a[4];
        const valueStart = attrStart + a.index + a[0].length - value.length - 1;
        pairs.push({ path: [...stack, local, a[1]], value, start: valueStart, end: valueStart + value.length, group });
      }
    }
    if (selfClosing) {
      open = undefined;
      continue;
    }
    stack.push(local);
    if (stack.length > 256) return pairs;
    open = { name: local, textFrom: m.index + m[0].length };
  }
  return pairs;
}

/**
 * `{name: DB_HOST, value: x}` (Kubernetes env), `<property name="host" value="x"/>` (Spring XML),
 * `<add key="host" value="x"/>` (.NET): the value under the named key.
 */
function namedValues(pairs: Pair[]): Pair[] {
  const groups = new Map<string, { name?: Pair; value?: Pair }>();
  for (const p of pairs) {
    if (p.item || p.group === undefined) continue;
    const last = p.path[p.path.length - 1];
    const slot = last === 'name' || last === 'key' ? 'name' : last === 'value' ? 'value' : undefined;
    if (!slot) continue;
    const id = `${p.doc ?? 0}\0${p.group}\0${p.path.slice(0, -1).join('\0')}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = {}));
    g[slot] = p;
  }
  const out: Pair[] = [];
  for (const { name, value } of groups.values()) {
    if (!name || !value || !/^[\w.-]+$/.test(name.value)) continue;
    // Drop the list index (or element name) that held the object: env[3].{name,value} -> env.DB_HOST.
    const parent = name.path.slice(0, -2);
    value.named = true;
    out.push({ path: [...parent, name.value], value: value.value, start: value.start, end: value.end, doc: value.doc });
  }
  return out;
}
