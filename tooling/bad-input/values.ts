import fc from 'fast-check';

// Generators of values for public entry points, each with the oracle that says, from the SPEC
// (and the package READMEs where it is silent), whether a value is valid. A property draws from a
// mix of valid values, boundary values and anything at all, and checks the entry point against
// the oracle: refused with INVALID_ARGUMENT, or accepted and correct.

/** The largest timer Node accepts; the SPEC's timeouts are integers from 0 to this. */
const MAX_TIMEOUT = 2_147_483_647;
/**
 * The largest UDP payload over IPv4.
 *
 * @example
 * ```ts
 * fc.constantFrom(MAX_DATAGRAM, MAX_DATAGRAM + 1).map((size) => Buffer.alloc(size));
 * ```
 */
export const MAX_DATAGRAM = 65_507;

/** Values that have broken input checks before: the edges of numbers, look-alikes, odd objects. */
const specialValue: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  undefined,
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1e-300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  MAX_TIMEOUT,
  MAX_TIMEOUT + 1,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MAX_VALUE,
  65_535,
  65_536,
  '',
  ' ',
  '\0',
  '0',
  '80',
  'NaN',
  'true',
  10n,
  -1n,
  Symbol('value'),
  [],
  [1, 2],
  {},
  Object.create(null),
  () => 1,
  async () => 1,
  class Anything {},
  new Date(0),
  /x/,
  new Error('not an option'),
  new Map(),
  new Set(),
  new Number(1),
  new String('127.0.0.1'),
  new Boolean(true),
  new ArrayBuffer(2),
  new DataView(new ArrayBuffer(2)),
  new Uint16Array(2),
  new Float64Array(1),
  [104, 105],
);

/**
 * Anything at all: the special values and whatever fast-check makes, up to two levels deep.
 *
 * @example
 * ```ts
 * fc.asyncProperty(anyValue, async (value) => expectRefused(await settle(() => client.write(value as never)), 'reject'));
 * ```
 */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  specialValue,
  fc.anything({
    maxDepth: 2,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withTypedArray: true,
    withSparseArray: true,
  }),
);

/**
 * Numbers of every kind, and things that are almost numbers.
 *
 * @example
 * ```ts
 * const port = fc.oneof(fc.integer({ min: 0, max: 65_535 }), numberish);
 * ```
 */
export const numberish: fc.Arbitrary<unknown> = fc.oneof(
  specialValue,
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.double(),
  fc.integer({ min: -3, max: 70_000 }).map((n) => n + 0.25),
  anyValue,
);

/**
 * An integer from 0 to MAX_TIMEOUT.
 *
 * @example
 * ```ts
 * isTimeout(5000); // true; isTimeout(-1), isTimeout(0.5), isTimeout('5') are false
 * ```
 */
export function isTimeout(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TIMEOUT;
}

/** Numbers at and around the edges of an integer range, where checks go wrong. */
function edgesOf(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.constantFrom<unknown>(min - 1, min, min + 1, max - 1, max, max + 1, min - 0.5, min + 0.5, max + 0.5, -1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, `${min}`, null);
}

/** Values for an integer field from `min` to `max`: inside, at the edges (weighted most), and anything. */
function integerFieldValue(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 2, arbitrary: fc.integer({ min, max }) }, { weight: 3, arbitrary: edgesOf(min, max) }, { weight: 2, arbitrary: numberish });
}

/**
 * Time-outs: valid ones (small ones too, which may really fire), the edges, and everything else.
 *
 * @example
 * ```ts
 * fc.asyncProperty(timeoutValue, async (t) => { if (!isTimeout(t)) expectRefused(await settle(() => client.read(1, { timeoutInMillis: t as number })), 'reject'); });
 * ```
 */
export const timeoutValue: fc.Arbitrary<unknown> = integerFieldValue(0, MAX_TIMEOUT);

/**
 * An integer from 1 to 2^53 - 1: sizes and counts.
 *
 * @example
 * ```ts
 * isPositiveInteger(1024); // true; isPositiveInteger(0) is false
 * ```
 */
export function isPositiveInteger(value: unknown, max = Number.MAX_SAFE_INTEGER): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
}

/**
 * Sizes and counts: valid ones, the edges of 1..2^31 and 2^53, and anything.
 *
 * @example
 * ```ts
 * const maxBufferedBytes = { value: positiveIntegerValue, valid: optional(isPositiveInteger) };
 * ```
 */
export const positiveIntegerValue: fc.Arbitrary<unknown> = fc.oneof(integerFieldValue(1, 2 ** 31), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1));

/**
 * A port: an integer from `min` (0 to bind, 1 to reach) to 65535.
 *
 * @example
 * ```ts
 * isPort(0, 0); // true: port 0 binds an ephemeral port; isPort(0, 1) is false
 * ```
 */
export function isPort(value: unknown, min: 0 | 1): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= 65_535;
}

/**
 * Ports: valid ones, the edges of 0..65535, and anything.
 *
 * @example
 * ```ts
 * fc.asyncProperty(portValue, async (port) => { if (!isPort(port, 0)) expectRefused(await settle(() => new Listener(port as number)), 'throw'); });
 * ```
 */
export const portValue: fc.Arbitrary<unknown> = integerFieldValue(0, 65_535);

/**
 * The oracle of a boolean option.
 *
 * @example
 * ```ts
 * isBoolean(false); // true; isBoolean('false') is false
 * ```
 */
export function isBoolean(value: unknown): boolean {
  return typeof value === 'boolean';
}

/**
 * Flags: booleans, and anything else.
 *
 * @example
 * ```ts
 * const noDelay = { value: booleanValue, valid: optional(isBoolean) };
 * ```
 */
export const booleanValue: fc.Arbitrary<unknown> = fc.oneof(fc.boolean(), anyValue);

/**
 * A host: a non-empty string of at most 253 characters without whitespace or NUL.
 *
 * @example
 * ```ts
 * isHost('localhost'); // true; isHost('local host') and isHost('') are false
 * ```
 */
export function isHost(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && value.length <= 253 && !/[\s\0]/.test(value);
}

/** Strings that are no host: empty, with a space, tab, newline or NUL inside, or longer than a DNS name. */
const badHostString: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.constantFrom(' ', '\t', '\n', '\r', '\0', '\u00a0', '\u2028'), fc.string({ maxLength: 20 }))
    .map(([before, bad, after]) => `${before}${bad}${after}`),
  fc.string({ minLength: 254, maxLength: 600 }).filter((s) => s.length > 253),
  fc.constant(`${'a'.repeat(250)}.com`),
);

/**
 * Hosts: `valid` ones (which the test can reach without DNS) and bad ones; never another valid
 * name, which would send the test to a resolver.
 *
 * @example
 * ```ts
 * const host = { value: hostValue(['127.0.0.1']), valid: isHost };
 * ```
 */
export function hostValue(valid: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(fc.constantFrom(...valid), badHostString, anyValue.filter((value) => !isHost(value)));
}

/**
 * What `write`, `sendTo` and `reply` take: bytes or a string.
 *
 * @example
 * ```ts
 * isData('hi'); // true; isData(42) and isData(new Uint16Array(1)) are false
 * ```
 */
export function isData(value: unknown): value is Uint8Array | string {
  return typeof value === 'string' || value instanceof Uint8Array;
}

/**
 * The bytes a valid `data` stands for: a string as UTF-8 (lone surrogates become U+FFFD).
 *
 * @example
 * ```ts
 * bytesOf('\ud800'); // <Buffer ef bf bd>
 * ```
 */
export function bytesOf(data: Uint8Array | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Data: bytes (Buffers, plain and offset Uint8Arrays), strings (any code point, lone surrogates), and everything else.
 *
 * @example
 * ```ts
 * fc.asyncProperty(dataValue(), (data) => checkWrite(endpoint, data));
 * ```
 */
export function dataValue(maxLength = 2048): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.uint8Array({ maxLength }),
    fc.uint8Array({ minLength: 1, maxLength }).map((bytes) => bytes.subarray(1)),
    fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes)),
    fc.string({ unit: 'binary', maxLength: Math.floor(maxLength / 4) }),
    fc.constantFrom('', '\ud800', 'a\udfffb', 'héllo wörld', '😀'),
    anyValue,
  );
}

/**
 * A read length: undefined, or an integer from 1 to `max`.
 *
 * @example
 * ```ts
 * isReadLength(undefined, 1024); // true; isReadLength(1025, 1024) is false
 * ```
 */
export function isReadLength(value: unknown, max: number): boolean {
  return value === undefined || isPositiveInteger(value, max);
}

/**
 * True for values that `String()` cannot turn into text: objects without a prototype, and arrays holding one.
 *
 * @example
 * ```ts
 * hasNoText(Object.create(null)); // true
 * ```
 */
export function hasNoText(value: unknown): boolean {
  try {
    String(value);
    return false;
  } catch {
    return true;
  }
}

/**
 * Read lengths: small valid ones (a test can supply that many bytes), `max`, `max + 1`, and
 * everything else, except values without a text form, which {@link textlessValue} covers (today
 * `read()` once threw a TypeError for them).
 *
 * @example
 * ```ts
 * fc.asyncProperty(readLengthValue(65_536), readOptionsValue, (length, options) => checkRead(endpoint, length, options));
 * ```
 */
export function readLengthValue(max: number): fc.Arbitrary<unknown> {
  return fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 4096 }), fc.constantFrom(max, max + 1), numberish.filter((value) => !hasNoText(value)));
}

/**
 * Values `String()` throws for.
 *
 * @example
 * ```ts
 * fc.asyncProperty(textlessValue, async (length) => expectRefused(await settle(() => client.read(length as number)), 'reject'));
 * ```
 */
export const textlessValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null).map(() => Object.create(null) as unknown),
  fc.constant(null).map(() => [Object.create(null)] as unknown),
  fc.constant(null).map(() => Object.assign(Object.create(null) as object, { length: 4 }) as unknown),
  anyValue.filter(hasNoText),
);

/**
 * A plain object: not null, not an array, not a function.
 *
 * @example
 * ```ts
 * isObject({}); // true; isObject([]), isObject(null) and isObject(() => 1) are false
 * ```
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Read options: undefined, or an object with a valid `timeoutInMillis` and an `AbortSignal` `signal` (both optional).
 *
 * @example
 * ```ts
 * isReadOptions({ timeoutInMillis: 10, signal: AbortSignal.timeout(100) }); // true
 * ```
 */
export function isReadOptions(value: unknown): boolean {
  if (value === undefined) return true;
  if (!isObject(value)) return false;
  const { timeoutInMillis, signal } = value as { timeoutInMillis?: unknown; signal?: unknown };
  return (timeoutInMillis === undefined || isTimeout(timeoutInMillis)) && (signal === undefined || signal instanceof AbortSignal);
}

/**
 * Read options, valid (with live and aborted signals, short time-outs) and not. Arrays are left
 * to {@link arrayOptionsValue}: they are refused like arrays.
 *
 * @example
 * ```ts
 * fc.asyncProperty(readOptionsValue, (options) => checkRead(endpoint, 1, options));
 * ```
 */
export const readOptionsValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant({}),
  fc.record(
    {
      timeoutInMillis: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constant(10_000), timeoutValue),
      signal: fc.oneof(
        fc.constant(undefined),
        fc.constant(null).map(() => new AbortController().signal),
        fc.constant(null).map(() => AbortSignal.abort(new Error('aborted before the read'))),
        anyValue,
      ),
    },
    { requiredKeys: [] },
  ),
  anyValue.filter((value) => !Array.isArray(value)),
);

/**
 * Arrays in the place of an options object: refused like arrays in the place of a config.
 *
 * @example
 * ```ts
 * fc.asyncProperty(arrayOptionsValue, async (options) => expectRefused(await settle(() => client.read(1, options as never)), 'reject'));
 * ```
 */
export const arrayOptionsValue: fc.Arbitrary<unknown[]> = fc.oneof(
  fc.constant(null).map((): unknown[] => []),
  fc.array(anyValue, { maxLength: 3 }),
  fc.constant(null).map((): unknown[] => Object.assign([], { timeoutInMillis: 5 })),
);

/**
 * The whole config replaced by something that is not an object: null, arrays, functions, primitives.
 *
 * @example
 * ```ts
 * fc.asyncProperty(notAnObject, async (config) => expectRefused(await settle(() => tcp.connect(config as never)), 'reject'));
 * ```
 */
export const notAnObject: fc.Arbitrary<unknown> = anyValue.filter((value) => !isObject(value) && value !== undefined);

/**
 * Misspellings of known field names (what the unknown-field rule is for: a typo must not silently
 * fall back to a default), and names no config has.
 *
 * @example
 * ```ts
 * unknownFieldName(['readTimeoutInMillis']); // e.g. 'readTimeoutInMilis', 'readtimeoutInMillis'
 * ```
 */
export function unknownFieldName(known: readonly string[]): fc.Arbitrary<string> {
  const typo = fc.tuple(fc.constantFrom(...known), fc.nat(), fc.constantFrom('drop', 'double', 'case', 'suffix')).map(([name, at, kind]) => {
    const i = at % name.length;
    switch (kind) {
      case 'drop':
        return name.slice(0, i) + name.slice(i + 1);
      case 'double':
        return name.slice(0, i) + name[i] + name.slice(i);
      case 'case':
        return name.slice(0, i) + (name[i] === name[i]!.toUpperCase() ? name[i]!.toLowerCase() : name[i]!.toUpperCase()) + name.slice(i + 1);
      default:
        return `${name}s`;
    }
  });
  return fc.oneof(typo, fc.constantFrom('timeout', 'readTimeout', 'readTimeoutInMilis', 'hostname', 'address', 'ttl2'), fc.string({ minLength: 1, maxLength: 12 })).filter(
    (name) => !known.includes(name) && !(name in Object.prototype),
  );
}

/**
 * A config built from a valid `base` with some `fields` set to generated values (a value of
 * `undefined` leaves a field out), or, now and then, replaced by something that is no object.
 * `valid` is the oracle's verdict.
 *
 * @example
 * ```ts
 * configValue({ host: '127.0.0.1', port }, { port: { value: portValue, valid: (p) => isPort(p, 1) } });
 * ```
 */
export function configValue(
  base: Record<string, unknown>,
  fields: Record<string, { value: fc.Arbitrary<unknown>; valid: (value: unknown) => boolean }>,
): fc.Arbitrary<{ config: unknown; valid: boolean }> {
  const names = Object.keys(fields);
  const mutated = fc
    .subarray(names, { minLength: 1, maxLength: Math.min(3, names.length) })
    // null is given its own share: `?? default` lets it pass for "left out", a classic slip.
    .chain((chosen) =>
      fc.tuple(
        ...chosen.map((name) =>
          fc.oneof({ weight: 8, arbitrary: fields[name]!.value }, { weight: 1, arbitrary: fc.constant(null) }).map((value) => [name, value] as const),
        ),
      ),
    )
    .map((pairs) => {
      const config: Record<string, unknown> = { ...base };
      let valid = true;
      for (const [name, value] of pairs) {
        if (value === undefined) delete config[name];
        else config[name] = value;
        if (value !== undefined && !fields[name]!.valid(value)) valid = false;
      }
      // A required field left out makes the config invalid.
      for (const name of Object.keys(base)) if (config[name] === undefined && !fields[name]!.valid(undefined)) valid = false;
      return { config: config as unknown, valid };
    });
  return fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 1, arbitrary: notAnObject.map((config) => ({ config, valid: false })) });
}
