import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SOCKET_ERROR_CODES, type SocketErrorCode } from './errors.js';

// Every member of the union, written out: adding a code to SocketErrorCode without adding it here
// fails the type check, and the test below then fails until SOCKET_ERROR_CODES has it as well.
const EVERY_CODE: Record<SocketErrorCode, true> = {
  READ_TIMED_OUT: true,
  CONNECT_TIMED_OUT: true,
  WRITE_TIMED_OUT: true,
  IDLE_TIMED_OUT: true,
  CONNECTION_REFUSED: true,
  CONNECTION_RESET: true,
  CONNECTION_CLOSED: true,
  ADDRESS_IN_USE: true,
  HOST_NOT_FOUND: true,
  INVALID_ARGUMENT: true,
  DATAGRAM_TOO_LARGE: true,
  FRAME_TOO_LARGE: true,
  TLS_FAILED: true,
  PROXY_PROTOCOL_INVALID: true,
  HANDLER_FAILED: true,
  GENERIC: true,
};

interface Row {
  readonly code: string;
  readonly when: string;
}

/** The rows of the first `| code | when |` table after the `### Error codes` heading. */
function errorTable(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const heading = lines.findIndex((line) => /^#{2,4}\s+Error codes\s*$/.test(line));
  if (heading === -1) throw new Error('the README has no "Error codes" heading');
  const header = lines.findIndex((line, index) => index > heading && /^\|\s*code\s*\|\s*when\s*\|\s*$/.test(line));
  if (header === -1) throw new Error('no "| code | when |" table under "Error codes"');
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    const code = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    if (code === undefined) throw new Error(`an error-table row whose first cell is not one \`CODE\`: ${line}`);
    rows.push({ code, when: cells[1] ?? '' });
  }
  return rows;
}

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe("the README's error table", () => {
  const rows = errorTable(readme);
  const documented = rows.map((row) => row.code);

  it('has a row, with an explanation, for every SocketErrorCode', () => {
    expect(SOCKET_ERROR_CODES.filter((code) => !documented.includes(code))).toEqual([]);
    expect(rows.filter((row) => row.when === '').map((row) => row.code)).toEqual([]);
  });

  it('has no row for a code that does not exist, and none twice', () => {
    expect(documented.filter((code) => !(SOCKET_ERROR_CODES as readonly string[]).includes(code))).toEqual([]);
    expect(documented.filter((code, index) => documented.indexOf(code) !== index)).toEqual([]);
  });

  it('lists the codes in the order of SOCKET_ERROR_CODES', () => {
    expect(documented).toEqual([...SOCKET_ERROR_CODES]);
  });

  it('is compared against the whole union', () => {
    expect([...SOCKET_ERROR_CODES].sort()).toEqual(Object.keys(EVERY_CODE).sort());
  });
});

describe('errorTable', () => {
  const table = ['### Error codes', '', 'Text.', '', '| code | when |', '| --- | --- |', '| `A` | first |', '| `B` | |', '', '| `C` | not in the table |'].join('\n');

  it('reads the rows of the table under the heading, up to its end', () => {
    expect(errorTable(table)).toEqual([
      { code: 'A', when: 'first' },
      { code: 'B', when: '' },
    ]);
  });

  it('refuses a README without the heading, the table or a well-formed row', () => {
    expect(() => errorTable('# Title')).toThrow(/no "Error codes" heading/);
    expect(() => errorTable('### Error codes\n\n| a | b |')).toThrow(/no "\| code \| when \|" table/);
    expect(() => errorTable(`${table.split('\n').slice(0, 6).join('\n')}\n| A | unquoted |`)).toThrow(/not one `CODE`/);
  });
});
