import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DomainError } from '../errors.js';
import { MAX_IMPORT_BYTES, decodeText, parseCsvText, parseJsonText } from './import-decode.js';

function problemsOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof DomainError);
    assert.equal(e.code, 'invalid_input');
    return e;
  }
  assert.fail('expected invalid_input');
}

describe('import file decoding (issue 2: CSV with wrong encodings)', () => {
  test('drops a UTF-8 byte-order mark from bytes and from strings', () => {
    assert.equal(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x62])), 'ab');
    assert.equal(decodeText('\uFEFFab'), 'ab');
  });

  test('rejects invalid UTF-8 and names every line that has invalid bytes', () => {
    const latin1 = Buffer.concat([
      Buffer.from('userName\nok\nJos'),
      Buffer.from([0xe9]),
      Buffer.from('\nfine\nM'),
      Buffer.from([0xfc, 0x6c]),
      Buffer.from('ler\n'),
    ]);
    const e = problemsOf(() => decodeText(latin1));
    assert.match(e.message, /not valid UTF-8; nothing was imported/);
    assert.deepEqual(
      e.problems.map((p) => p.at),
      ['line 3', 'line 5'],
    );
  });

  test('rejects a file over the size limit before reading it', () => {
    const e = problemsOf(() => decodeText(new Uint8Array(MAX_IMPORT_BYTES + 1)));
    assert.deepEqual(e.problems, [{ at: 'file', message: 'is too large' }]);
  });

  test('rejects a UTF-16 file (as spreadsheets sometimes save) as not UTF-8', () => {
    const utf16 = Buffer.from('\uFEFFuserName\n\u00e9', 'utf16le');
    problemsOf(() => decodeText(utf16));
  });
});

describe('CSV rows with line numbers', () => {
  test('numbers each record by the line it starts on, across CRLF, blank lines and quoted newlines', () => {
    const { header, rows } = parseCsvText('a,b\r\n1,"multi\r\nline"\r\n\r\n3,4\r\n"x\ny\nz",5\n6,7');
    assert.deepEqual(header, { line: 1, cells: ['a', 'b'] });
    assert.deepEqual(
      rows.map((r) => r.line),
      [2, 5, 6, 9],
    );
    assert.deepEqual(rows[0]?.cells, ['1', 'multi\nline']);
  });

  test('reports an unclosed quote as invalid CSV with a line', () => {
    const e = problemsOf(() => parseCsvText('a,b\n1,2\n3,"4\n5,6\n'));
    assert.match(e.message, /not valid CSV/);
    assert.match(e.problems[0]?.at ?? '', /^line \d+$/);
  });

  test('rejects an empty file for want of a header', () => {
    const e = problemsOf(() => parseCsvText('\n\n'));
    assert.equal(e.problems[0]?.at, 'line 1');
  });
});

describe('JSON items with line numbers', () => {
  test('finds the starting line of each element of the top-level users and groups lists', () => {
    const text =
      '{\n  "groups": [\n    { "displayName": "a]{" },\n    {\n      "displayName": "b\\"}"\n    }\n  ],\n  "users": [{"userName": "x"},\n {"userName": "y", "groups": ["a", "b"]}]\n}\n';
    const { lines } = parseJsonText(text, ['users', 'groups']);
    assert.deepEqual(lines.get('groups'), [3, 4]);
    assert.deepEqual(lines.get('users'), [8, 9]);
  });

  test('reports malformed JSON with the line of the error', () => {
    const e = problemsOf(() => parseJsonText('{\n "users": [\n  {"userName": "x",}\n ]\n}', ['users']));
    assert.match(e.message, /not valid JSON/);
    assert.equal(e.problems[0]?.at, 'line 3');
  });
});
