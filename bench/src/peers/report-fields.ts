import { GenericError } from '@sock/core';

/**
 * Pulls labelled numbers out of a load generator's text report. The tools print `Label:  value`
 * lines whose spacing and order change between versions, so every field is found by its label
 * anywhere in the text, and a missing required field is an error that names the tool and the label.
 *
 * @example
 * ```ts
 * const fields = new ReportFields('ab', stdout);
 * const perSec = fields.number(/^Requests per second:\s+([\d.]+)/m, 'Requests per second');
 * ```
 */
export class ReportFields {
  readonly #tool: string;
  readonly #text: string;

  constructor(tool: string, text: string) {
    this.#tool = tool;
    this.#text = text;
  }

  /** The first capture group of `pattern` as a number; throws `GENERIC` when absent or not numeric. */
  number(pattern: RegExp, label: string): number {
    const value = this.optional(pattern);
    if (value === undefined) throw new GenericError('GENERIC', `${this.#tool} report has no "${label}" (output: ${excerpt(this.#text)})`);
    return value;
  }

  /** The first capture group of `pattern` as a number, or undefined when the line is absent. */
  optional(pattern: RegExp): number | undefined {
    const match = pattern.exec(this.#text);
    if (match === null || match[1] === undefined) return undefined;
    const value = Number(match[1]);
    if (!Number.isFinite(value)) throw new GenericError('GENERIC', `${this.#tool} report has a non-numeric value ${JSON.stringify(match[1])} for ${pattern.source}`);
    return value;
  }

  /** Every capture-group-1 match of the global `pattern`. */
  all(pattern: RegExp): string[] {
    return [...this.#text.matchAll(pattern)].map((match) => match[1] ?? '');
  }
}

/** The start and end of a long output, on one line, for an error message. */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty)';
  return flat.length <= max ? flat : `${flat.slice(0, max / 2)} … ${flat.slice(-max / 2)}`;
}

/** A duration such as `635.00us`, `1.04ms`, `2.1s` or `1.5m` in milliseconds. */
export function durationMs(value: number, unit: string): number {
  switch (unit) {
    case 'us':
      return value / 1000;
    case 'ms':
      return value;
    case 's':
      return value * 1000;
    case 'm':
      return value * 60_000;
    case 'h':
      return value * 3_600_000;
    default:
      throw new GenericError('GENERIC', `unknown duration unit ${JSON.stringify(unit)}`);
  }
}
