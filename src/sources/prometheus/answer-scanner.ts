// A streaming reader of Prometheus query answers (`/api/v1/query`, `/api/v1/query_range`):
// it walks the JSON as it arrives and hands over, per series, only the label values asked for and
// the numbers. A recorded-mode answer at 100 000 SLOs is ~10 MB per window; JSON.parse made it a
// string, then 100 000 objects with label objects, then burnwatch copied it again into samples.
// Here nothing per series outlives the callback, and the body is never held whole.
//
// It is a full JSON tokenizer (strings with escapes, numbers, literals, nesting), so answers with
// extra fields (warnings, infos, stats, native histograms) are read or skipped, not misread. What
// it assumes of Prometheus's shape: the answer's `status`, `error*`, `warnings`, `infos` at the top,
// `data.resultType` and `data.result`; each series an object with `metric` (string labels) and
// `value` ([time, "text"]) or `values` ([[time, "text"], …]). For range answers, points are handed
// over as they come, so `metric` must come before `values` in each series, which is the order
// Prometheus, Thanos and Mimir write (the labels given with a point are the ones seen so far).

export interface ScanHandlers {
  /** Label names whose values are kept (in this order); the others are skipped without a copy. */
  labels: readonly string[];
  /**
   * An instant vector's sample, or a scalar answer (labels all undefined). `labels` is reused
   * for the next series: copy what you keep.
   */
  sample?(labels: ReadonlyArray<string | undefined>, value: number, time: number): void;
  /** One point of a range answer's series (`values`). */
  point?(labels: ReadonlyArray<string | undefined>, time: number, value: number): void;
}

export interface ScanSummary {
  status: string | undefined;
  errorType: string | undefined;
  error: string | undefined;
  resultType: string | undefined;
  warnings: string[];
  infos: string[];
  /** Series (or the scalar) seen in `data.result`. */
  series: number;
}

export class ScanError extends Error {
  override readonly name = 'ScanError';
}

// What a container is, decided when it opens from its parent and the key it sits under.
const SKIP = 0;
const ROOT = 1;
const DATA = 2;
const RESULT = 3;
const SERIES = 4;
const METRIC = 5;
const PAIR = 6;
const POINTS = 7;
const POINT = 8;
const NOTES = 9;

/** The keys of the answer's structure; any other key reads as OTHER_KEY. */
const STRUCTURE_KEYS = ['metric', 'value', 'values', 'status', 'data', 'resultType', 'result', 'error', 'errorType', 'warnings', 'infos'];
const OTHER_KEY = '\u0000other';

const OBJECT = 1;
const ARRAY = 2;

/** Incremental: `write` text as it arrives, then `end`. Throws ScanError on malformed JSON. */
export class AnswerScanner {
  readonly #handlers: ScanHandlers;
  readonly #labelIndex: Map<string, number>;
  readonly #labels: Array<string | undefined>;
  readonly #keyNames: readonly string[];
  #buf = '';
  #pos = 0;
  // The open containers: kind, role, current key (objects), index (arrays), key expected next.
  #kinds: number[] = [];
  #roles: number[] = [];
  #keys: Array<string | undefined> = [];
  #indices: number[] = [];
  #expectKey: boolean[] = [];
  #done = false;
  // The series being read.
  #time = Number.NaN;
  #value = Number.NaN;
  #hasValue = false;
  #notes: string[] | undefined;
  readonly summary: ScanSummary = { status: undefined, errorType: undefined, error: undefined, resultType: undefined, warnings: [], infos: [], series: 0 };

  constructor(handlers: ScanHandlers) {
    this.#handlers = handlers;
    this.#labelIndex = new Map(handlers.labels.map((l, i) => [l, i]));
    this.#labels = handlers.labels.map(() => undefined);
    this.#keyNames = [...new Set([...STRUCTURE_KEYS, ...handlers.labels])];
  }

  write(text: string): void {
    this.#buf = this.#pos < this.#buf.length ? this.#buf.slice(this.#pos) + text : text;
    this.#pos = 0;
    this.#run(false);
  }

  end(): ScanSummary {
    this.#run(true);
    if (!this.#done) throw new ScanError('the answer ended before its JSON did');
    for (; this.#pos < this.#buf.length; this.#pos++) {
      if (!isSpace(this.#buf.charCodeAt(this.#pos))) throw new ScanError('text after the JSON answer');
    }
    return this.summary;
  }

  #run(final: boolean): void {
    const buf = this.#buf;
    const len = buf.length;
    let pos = this.#pos;
    while (pos < len) {
      const c = buf.charCodeAt(pos);
      if (isSpace(c)) {
        pos++;
        continue;
      }
      if (this.#done) throw new ScanError('text after the JSON answer');
      const depth = this.#kinds.length - 1;
      if (c === 0x5b /* [ */ && depth >= 0 && this.#roles[depth] === POINTS) {
        // A range answer is almost all points: `[time,"value"]` read in one go when it has arrived
        // whole and is written as Prometheus writes it (else the general path below reads it).
        let after = this.#point(buf, pos, len);
        if (after > 0) {
          // And the points after it, as long as they come whole.
          while (after + 1 < len && buf.charCodeAt(after) === 0x2c && buf.charCodeAt(after + 1) === 0x5b) {
            const next = this.#point(buf, after + 1, len);
            if (next < 0) break;
            this.#indices[depth]!++;
            after = next;
          }
          pos = after;
          continue;
        }
        this.#open(ARRAY, depth);
        pos++;
      } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        this.#open(c === 0x7b ? OBJECT : ARRAY, depth);
        pos++;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        if (depth < 0 || this.#kinds[depth] !== (c === 0x7d ? OBJECT : ARRAY)) throw new ScanError(`unexpected '${String.fromCharCode(c)}'`);
        this.#close(depth);
        pos++;
      } else if (c === 0x2c /* , */) {
        if (depth < 0) throw new ScanError("unexpected ','");
        if (this.#kinds[depth] === OBJECT) this.#expectKey[depth] = true;
        else this.#indices[depth]!++;
        pos++;
      } else if (c === 0x3a /* : */) {
        if (depth < 0 || this.#kinds[depth] !== OBJECT || this.#expectKey[depth]) throw new ScanError("unexpected ':'");
        pos++;
      } else if (c === 0x22 /* " */) {
        const endQuote = stringEnd(buf, pos + 1);
        if (endQuote < 0) break; // the rest of the string has not arrived
        const start = pos;
        pos = endQuote + 1;
        if (depth >= 0 && this.#kinds[depth] === OBJECT && this.#expectKey[depth]) {
          // Keys are matched in place against the few that matter: no string per key.
          this.#keys[depth] = this.#knownKey(buf, start + 1, endQuote);
          this.#expectKey[depth] = false;
        } else if (this.#wantsText(depth)) {
          const raw = buf.slice(start + 1, endQuote);
          this.#scalar(depth, raw.includes('\\') ? unescapeJson(buf.slice(start, pos)) : raw);
        }
      } else {
        let end = pos;
        while (end < len && isScalarChar(buf.charCodeAt(end))) end++;
        if (end === pos) throw new ScanError(`unexpected '${String.fromCharCode(c)}'`);
        if (end === len && !final) break; // a number may go on in the next chunk
        const word = buf.slice(pos, end);
        pos = end;
        if (word === 'true' || word === 'false') this.#scalar(depth, word === 'true');
        else if (word === 'null') this.#scalar(depth, null);
        else {
          const n = Number(word);
          if (Number.isNaN(n) || !startsNumber(word.charCodeAt(0))) throw new ScanError(`not JSON: ${word.slice(0, 20)}`);
          this.#scalar(depth, n);
        }
      }
    }
    this.#pos = pos;
  }

  /**
   * The point `[time,"value"]` opening at `from` (no spaces, no escapes): hands it over and returns
   * the position after its `]`; or -1, having changed nothing, for anything else or a point that
   * has not arrived whole. Integer times and short decimal values are read without a string.
   */
  #point(buf: string, from: number, len: number): number {
    let j = from + 1;
    let time = 0;
    let integer = true;
    for (; j < len; j++) {
      const c = buf.charCodeAt(j);
      if (c >= 0x30 && c <= 0x39) time = time * 10 + (c - 0x30);
      else if (c === 0x2c /* , */) break;
      else if (c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45) integer = false;
      else return -1;
    }
    const comma = j;
    if (comma === from + 1 || comma + 1 >= len || buf.charCodeAt(comma + 1) !== 0x22 || !startsNumber(buf.charCodeAt(from + 1))) return -1;
    if (!integer || comma - from > 16) {
      time = Number(buf.slice(from + 1, comma));
      if (Number.isNaN(time)) return -1;
    }
    const open = comma + 2;
    const close = buf.indexOf('"', open);
    if (close < 0 || close + 1 >= len || buf.charCodeAt(close + 1) !== 0x5d /* ] */) return -1;
    let value = decimalValue(buf, open, close);
    if (Number.isNaN(value)) {
      const text = buf.slice(open, close);
      // An escape (the quote found may be an escaped one): the general path.
      if (text.includes('\\')) return -1;
      value = parsePromValue(text);
    }
    this.#handlers.point?.(this.#labels, time, value);
    return close + 2;
  }

  /** The key as one of the names that matter (shared strings), or OTHER_KEY; escapes are unescaped. */
  #knownKey(buf: string, from: number, to: number): string {
    const length = to - from;
    for (const name of this.#keyNames) {
      if (name.length === length && buf.startsWith(name, from)) return name;
    }
    const raw = buf.slice(from, to);
    if (!raw.includes('\\')) return OTHER_KEY;
    const text = unescapeJson(`"${raw}"`);
    return this.#keyNames.find((name) => name === text) ?? OTHER_KEY;
  }

  /** Whether a string value is read at all: label values not asked for are skipped uncopied. */
  #wantsText(depth: number): boolean {
    if (depth < 0) return true;
    const role = this.#roles[depth]!;
    if (role === SKIP || role === SERIES) return false;
    if (role === METRIC) return this.#labelIndex.has(this.#keys[depth]!);
    return true;
  }

  #open(kind: number, parent: number): void {
    const role = parent < 0 ? (kind === OBJECT ? ROOT : SKIP) : childRole(this.#roles[parent]!, this.#kinds[parent] === OBJECT ? this.#keys[parent] : undefined, kind);
    if (role === SERIES) {
      this.#labels.fill(undefined);
      this.#hasValue = false;
    } else if (role === NOTES) {
      this.#notes = this.#keys[parent] === 'warnings' ? this.summary.warnings : this.summary.infos;
    }
    this.#kinds.push(kind);
    this.#roles.push(role);
    this.#keys.push(undefined);
    this.#indices.push(0);
    this.#expectKey.push(kind === OBJECT);
  }

  #close(depth: number): void {
    const role = this.#roles[depth]!;
    this.#kinds.pop();
    this.#roles.pop();
    this.#keys.pop();
    this.#indices.pop();
    this.#expectKey.pop();
    if (role === SERIES) {
      this.summary.series++;
      if (this.#hasValue) this.#handlers.sample?.(this.#labels, this.#value, this.#time);
    } else if (role === PAIR) {
      this.#hasValue = true;
    } else if (role === POINT) {
      this.#handlers.point?.(this.#labels, this.#time, this.#value);
    } else if (role === RESULT && this.#hasValue && this.summary.resultType === 'scalar') {
      // A scalar answer: `result` is the [time, "text"] pair itself.
      this.summary.series++;
      this.#labels.fill(undefined);
      this.#handlers.sample?.(this.#labels, this.#value, this.#time);
    }
    if (depth === 0) this.#done = true;
  }

  #scalar(depth: number, value: string | number | boolean | null): void {
    if (depth < 0) throw new ScanError('the answer is not a JSON object');
    const role = this.#roles[depth]!;
    switch (role) {
      case ROOT: {
        const key = this.#keys[depth];
        if (typeof value === 'string' && (key === 'status' || key === 'errorType' || key === 'error')) this.summary[key] = value;
        return;
      }
      case DATA:
        if (this.#keys[depth] === 'resultType' && typeof value === 'string') this.summary.resultType = value;
        return;
      case METRIC: {
        const slot = this.#labelIndex.get(this.#keys[depth]!);
        if (slot !== undefined && typeof value === 'string') this.#labels[slot] = value;
        return;
      }
      case RESULT:
        // A scalar answer's pair, directly under `result`.
        this.#pairPart(this.#indices[depth]!, value);
        if (this.#indices[depth] === 1) this.#hasValue = true;
        return;
      case PAIR:
      case POINT:
        this.#pairPart(this.#indices[depth]!, value);
        return;
      case NOTES:
        if (typeof value === 'string') this.#notes!.push(value);
        return;
      default:
    }
  }

  #pairPart(index: number, value: string | number | boolean | null): void {
    if (index === 0) this.#time = typeof value === 'number' ? value : Number.NaN;
    else if (index === 1) this.#value = typeof value === 'string' ? parsePromValue(value) : typeof value === 'number' ? value : Number.NaN;
  }
}

function childRole(parent: number, key: string | undefined, kind: number): number {
  switch (parent) {
    case ROOT:
      if (key === 'data' && kind === OBJECT) return DATA;
      if ((key === 'warnings' || key === 'infos') && kind === ARRAY) return NOTES;
      return SKIP;
    case DATA:
      return key === 'result' && kind === ARRAY ? RESULT : SKIP;
    case RESULT:
      return kind === OBJECT ? SERIES : SKIP;
    case SERIES:
      if (key === 'metric' && kind === OBJECT) return METRIC;
      if (key === 'value' && kind === ARRAY) return PAIR;
      if (key === 'values' && kind === ARRAY) return POINTS;
      return SKIP;
    case POINTS:
      return kind === ARRAY ? POINT : SKIP;
    default:
      return SKIP;
  }
}

/** Index of the quote that closes a string whose text starts at `from`; -1 if not arrived yet. */
function stringEnd(buf: string, from: number): number {
  let i = buf.indexOf('"', from);
  while (i >= 0) {
    // Escaped when preceded by an odd number of backslashes.
    let backslashes = 0;
    for (let j = i - 1; j >= from && buf.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return i;
    i = buf.indexOf('"', i + 1);
  }
  return -1;
}

function unescapeJson(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw new ScanError(`bad string escape in ${quoted.slice(0, 40)}`);
  }
}

function startsNumber(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Characters of numbers and of true/false/null. */
function isScalarChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45 || (c >= 0x61 && c <= 0x7a);
}

/** Scans a whole body as it streams in (a fetch Response's body). */
export async function scanAnswer(body: AsyncIterable<Uint8Array> | null, handlers: ScanHandlers): Promise<ScanSummary> {
  const scanner = new AnswerScanner(handlers);
  if (body) {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for await (const chunk of body) scanner.write(decoder.decode(chunk, { stream: true }));
    scanner.write(decoder.decode());
  }
  return scanner.end();
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `buf[from, to)` as a number when it is a plain decimal of at most 15 digits (`-12.5`, `180000`),
 * else NaN (the caller then reads it with Number). At most 15 digits and 22 decimals, the digits
 * and the power of ten are exact doubles, so their quotient is the correctly rounded value, the
 * same double as Number(text).
 */
function decimalValue(buf: string, from: number, to: number): number {
  let i = from;
  const negative = i < to && buf.charCodeAt(i) === 0x2d;
  if (negative) i++;
  if (i === to) return Number.NaN;
  let digits = 0;
  let mantissa = 0;
  let decimals = -1;
  for (; i < to; i++) {
    const c = buf.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 0x2e && decimals < 0) decimals = 0;
    else return Number.NaN;
  }
  if (digits === 0 || digits > 15 || decimals === 0 || decimals > 22) return Number.NaN;
  const value = decimals > 0 ? mantissa / POWERS_OF_TEN[decimals]! : mantissa;
  return negative ? -value : value;
}

/** Prometheus writes special floats as "+Inf", "-Inf", "NaN". */
export function parsePromValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}
