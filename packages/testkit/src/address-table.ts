import { formatEndpoint, GenericError, invalidArgument } from '@sock/core/internal';

/** Where an IP family's "all interfaces" and loopback live. */
const ANY_V6 = '::';
const ANY_V4 = '0.0.0.0';

/**
 * The first port handed out for port 0 (the IANA dynamic range, 49152..65535).
 *
 * @example
 * ```ts
 * expect(listener.address!.port).toBeGreaterThanOrEqual(FIRST_EPHEMERAL_PORT);
 * ```
 */
export const FIRST_EPHEMERAL_PORT = 49152;
const LAST_PORT = 65535;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIPv4(host: string): boolean {
  return IPV4.test(host);
}

/**
 * Whether `host` is an IPv4 or IPv6 literal (not a name).
 *
 * @example
 * ```ts
 * isIPLiteral('192.0.2.1'); // true
 * ```
 */
export function isIPLiteral(host: string): boolean {
  return isIPv4(host) || (host.includes(':') && /^[0-9a-fA-F:.]+$/.test(host));
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * The addresses a host name stands for on a loopback network, in the order a connect tries them:
 * `localhost` → `127.0.0.1`, `::1`; the two loopback literals themselves; `0.0.0.0` and `::` (which
 * Linux connects to loopback). `undefined` for a name the network does not know (`HOST_NOT_FOUND`);
 * an empty list for another IP literal (nothing listens there: `CONNECTION_REFUSED`).
 *
 * @example
 * ```ts
 * resolveHost('localhost'); // ['127.0.0.1', '::1']
 * ```
 */
export function resolveHost(host: string): string[] | undefined {
  const plain = unbracket(host).toLowerCase();
  switch (plain) {
    case 'localhost':
      return ['127.0.0.1', '::1'];
    case '127.0.0.1':
    case ANY_V4:
      return ['127.0.0.1'];
    case '::1':
    case ANY_V6:
    case '0:0:0:0:0:0:0:1':
      return ['::1'];
    default:
      return isIPLiteral(plain) ? [] : undefined;
  }
}

/**
 * The numeric address a listener binds for its `interface` option: `undefined` → `::` (every
 * interface, both families, as Node does); `localhost` → `127.0.0.1`. Another IP literal is not an
 * address of this host (`INVALID_ARGUMENT`, as `EADDRNOTAVAIL` is); an unknown name `HOST_NOT_FOUND`.
 *
 * @example
 * ```ts
 * resolveBindHost(undefined, 0); // '::'
 * ```
 */
export function resolveBindHost(host: string | undefined, port: number): string {
  if (host === undefined) return ANY_V6;
  const plain = unbracket(host).toLowerCase();
  switch (plain) {
    case 'localhost':
    case '127.0.0.1':
      return '127.0.0.1';
    case '::1':
    case '0:0:0:0:0:0:0:1':
      return '::1';
    case ANY_V4:
      return ANY_V4;
    case ANY_V6:
      return ANY_V6;
    default:
      if (isIPLiteral(plain)) throw invalidArgument(`address ${formatEndpoint(plain, port)} is not available on this host`);
      throw new GenericError('HOST_NOT_FOUND', `host of ${formatEndpoint(host, port)} was not found`);
  }
}

// Two bindings of one port collide when their addresses overlap; `::` covers both families, as a
// dual-stack socket does on Linux.
function overlaps(a: string, b: string): boolean {
  if (a === b || a === ANY_V6 || b === ANY_V6) return true;
  if (a === ANY_V4) return isIPv4(b);
  if (b === ANY_V4) return isIPv4(a);
  return false;
}

// Whether a socket bound to `bound` accepts traffic sent to the loopback address `to`.
function accepts(bound: string, to: string): boolean {
  return bound === to || bound === ANY_V6 || (bound === ANY_V4 && isIPv4(to));
}

/**
 * One protocol's port space on one loopback network: which ports are bound (by listeners and by
 * the local ends of clients), port-0 allocation, and lookup of the listener for a destination.
 * Each network owns its own tables, so two networks never see each other.
 *
 * @example
 * ```ts
 * const table = new AddressTable<Acceptor>('tcp');
 * const port = table.bind('127.0.0.1', 0, acceptor); // 49152
 * table.find('127.0.0.1', port); // acceptor
 * ```
 */
export class AddressTable<T> {
  readonly #protocol: string;
  readonly #bindings = new Map<number, Array<{ host: string; owner: T; shared: boolean }>>();
  // Round-robin position per port, for ports several owners share (reusePort).
  readonly #turn = new Map<number, number>();
  readonly #reserved = new Set<number>();
  #next = FIRST_EPHEMERAL_PORT;

  constructor(protocol: string) {
    this.#protocol = protocol;
  }

  /**
   * Binds `owner` to `host` (already numeric) and `port` (0: ephemeral); returns the port. Throws
   * `ADDRESS_IN_USE` — unless every overlapping binding and this one are `shared` (reusePort) on the
   * same address, which then take turns receiving.
   */
  bind(host: string, port: number, owner: T, shared = false): number {
    const chosen = port === 0 ? this.#ephemeral(host) : port;
    const list = this.#bindings.get(chosen) ?? [];
    if (list.some((binding) => overlaps(binding.host, host) && !(shared && binding.shared && binding.host === host))) {
      throw new GenericError('ADDRESS_IN_USE', `address ${formatEndpoint(host, chosen)} is already in use (${this.#protocol})`);
    }
    list.push({ host, owner, shared });
    this.#bindings.set(chosen, list);
    return chosen;
  }

  /** Releases the binding of `owner` on `port`. */
  unbind(port: number, owner: T): void {
    const list = this.#bindings.get(port);
    if (list === undefined) return;
    const kept = list.filter((binding) => binding.owner !== owner);
    if (kept.length === 0) this.#bindings.delete(port);
    else this.#bindings.set(port, kept);
  }

  /** Takes an ephemeral port for the local end of a client (listeners may still bind it explicitly, as with SO_REUSEADDR). */
  reserve(host: string): number {
    const port = this.#ephemeral(host);
    this.#reserved.add(port);
    return port;
  }

  /** Gives back a port taken by {@link reserve}. */
  release(port: number): void {
    this.#reserved.delete(port);
  }

  /** The owner bound where a packet to `host:port` goes, if any (`host` a loopback literal). */
  find(host: string, port: number): T | undefined {
    const list = this.#bindings.get(port);
    if (list === undefined) return undefined;
    // The most specific binding wins, as the kernel's lookup does; owners sharing it take turns.
    const exact = list.filter((binding) => binding.host === host);
    const candidates = exact.length > 0 ? exact : list.filter((binding) => accepts(binding.host, host));
    if (candidates.length <= 1) return candidates[0]?.owner;
    const turn = this.#turn.get(port) ?? 0;
    this.#turn.set(port, turn + 1);
    return candidates[turn % candidates.length]!.owner;
  }

  // The next free port of the dynamic range, round-robin, so a port just released is not reused at once.
  #ephemeral(host: string): number {
    const span = LAST_PORT - FIRST_EPHEMERAL_PORT + 1;
    for (let i = 0; i < span; i++) {
      const port = this.#next;
      this.#next = port === LAST_PORT ? FIRST_EPHEMERAL_PORT : port + 1;
      if (!this.#bindings.has(port) && !this.#reserved.has(port)) return port;
    }
    throw new GenericError('ADDRESS_IN_USE', `no ephemeral ${this.#protocol} port is free on ${host}`);
  }
}
