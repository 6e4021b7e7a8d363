import { parse as parseCsv } from 'csv-parse/sync';
import { DomainError, type FieldProblem } from '../errors.js';

/**
 * Turning an uploaded file into text rows with their line numbers. Everything here reports problems as
 * `line N` so a user can fix the file in an editor; nothing here knows about users or groups.
 */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function rejectFile(message: string, problems: readonly FieldProblem[]): never {
  throw new DomainError('invalid_input', message, problems);
}

/** Strict UTF-8 (a byte-order mark is allowed and dropped); every line with invalid bytes is reported. */
export function decodeText(input: Uint8Array | string): string {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > MAX_IMPORT_BYTES)
    rejectFile(`The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB`, [
      { at: 'file', message: 'is too large' },
    ]);
  if (typeof input === 'string') return input.startsWith('\uFEFF') ? input.slice(1) : input;
  const bytes = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? input.subarray(3) : input;
  try {
    return utf8.decode(bytes);
  } catch {
    const problems: FieldProblem[] = [];
    let start = 0;
    let line = 1;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          utf8.decode(bytes.subarray(start, i));
        } catch {
          problems.push({ at: `line ${line}`, message: 'is not valid UTF-8 (save the file as UTF-8)' });
        }
        start = i + 1;
        line++;
      }
    }
    if (problems.length === 0) problems.push({ at: 'file', message: 'is not valid UTF-8' });
    return rejectFile('The file is not valid UTF-8; nothing was imported', problems);
  }
}

export interface CsvRow {
  /** 1-based line where the record starts. */
  readonly line: number;
  readonly cells: readonly string[];
}

/** Header plus data rows; blank lines are skipped. Line endings are normalised so line numbers are exact. */
export function parseCsvText(text: string): { header: CsvRow; rows: CsvRow[] } {
  const normalised = text.replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(normalised, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (e) {
    const line =
      typeof e === 'object' && e !== null && 'lines' in e && typeof e.lines === 'number' ? e.lines : undefined;
    const message = e instanceof Error ? e.message.replace(/ at line \d+.*$/s, '') : 'unreadable CSV';
    return rejectFile('The file is not valid CSV; nothing was imported', [
      { at: line !== undefined ? `line ${line}` : 'file', message },
    ]);
  }
  const rows = records.map(({ record, info }) => ({
    line: info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0),
    cells: record,
  }));
  const header = rows.shift();
  if (!header)
    return rejectFile('The file is empty; it needs a header line', [
      { at: 'line 1', message: 'header line is missing' },
    ]);
  return { header, rows };
}

/** Line of a character offset. */
const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
};

/**
 * Parses JSON and finds the line each element of the top-level arrays starts on, by a small scan that tracks
 * strings and nesting (JSON.parse gives values but no positions).
 */
export function parseJsonText(
  text: string,
  arrays: readonly string[],
): { value: unknown; lines: Map<string, number[]> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : 'unreadable JSON';
    const pos = /position (\d+)/.exec(message);
    return rejectFile('The file is not valid JSON; nothing was imported', [
      { at: pos?.[1] !== undefined ? `line ${lineAt(text, Number(pos[1]))}` : 'file', message },
    ]);
  }
  const lines = new Map<string, number[]>(arrays.map((a) => [a, []]));
  let depth = 0;
  let line = 1;
  let lastString = '';
  let currentKey: string | null = null;
  let inTarget: number[] | null = null;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (inTarget && depth === 2 && expectElement && c !== ']') {
      inTarget.push(line);
      expectElement = false;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      lastString = text.slice(i + 1, j);
      i = j;
      continue;
    }
    if (c === ':' && depth === 1) currentKey = lastString;
    else if (c === '{' || c === '[') {
      depth++;
      if (depth === 2 && c === '[' && currentKey !== null && lines.has(currentKey)) {
        inTarget = lines.get(currentKey) ?? null;
        expectElement = true;
      }
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 1) inTarget = null;
    } else if (c === ',' && depth === 2 && inTarget) expectElement = true;
  }
  return { value, lines };
}
