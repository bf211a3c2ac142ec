import { formatEndpoint, GenericError, invalidArgument, type TcpTransport, type UdpTransport } from '@sock/core/internal';
import { resolveBindHost, resolveHost } from './address-table.js';
import { DatagramBus } from './datagram-bus.js';
import type { Network } from './network.js';
import { TcpFabric } from './tcp-fabric.js';

/**
 * Where a packet from a host goes: the host that has the address, the address itself, and the
 * address the sender speaks from (its loopback address for loopback traffic, else its own).
 *
 * @example
 * ```ts
 * const [route] = a.resolve('b')!; // { host: b, ip: '192.0.2.2', source: '192.0.2.1' }
 * ```
 */
export interface Route {
  readonly host: Host;
  readonly ip: string;
  readonly source: string;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * One machine of a {@link Network}: its name, its address (none for the loopback network's one
 * host), its own TCP and UDP port tables and transports, and whether it is up. A host reaches itself
 * by its name, its address, `localhost`, `127.0.0.1` and `::1`, and the others by their names or
 * addresses. Internal; a simulation hands out a `SimHost` view of it.
 *
 * @example
 * ```ts
 * const host = network.addHost('primary', true);
 * const listener = host.tcp.transport.createListener(7000);
 * ```
 */
export class Host {
  readonly name: string;
  /** Its address on the network (`192.0.2.x`, ...), or undefined for a loopback-only host. */
  readonly address: string | undefined;
  readonly network: Network;
  readonly tcp: TcpFabric;
  readonly udp: DatagramBus;
  /** Bumped by every crash: what was under way before it must not touch the host after it. */
  generation = 0;
  #down = false;

  constructor(network: Network, name: string, address: string | undefined) {
    this.network = network;
    this.name = name;
    this.address = address;
    this.tcp = new TcpFabric(this);
    this.udp = new DatagramBus(this);
  }

  /** True while crashed. */
  get down(): boolean {
    return this.#down;
  }

  /** This host's TCP transport. */
  get tcpTransport(): TcpTransport {
    return this.tcp.transport;
  }

  /** This host's UDP transport. */
  get udpTransport(): UdpTransport {
    return this.udp.transport;
  }

  /**
   * Where `target` (a name or an IP literal) leads from this host, in the order a connect tries
   * them (`localhost`: `127.0.0.1`, then `::1`). `undefined` for a name nobody has
   * (`HOST_NOT_FOUND`); an empty list for an IP literal that is no host's address (nothing is there).
   */
  resolve(target: string): Route[] | undefined {
    const plain = unbracket(target).toLowerCase();
    const local = resolveHost(plain);
    if (local !== undefined && local.length > 0) return local.map((ip) => ({ host: this, ip, source: ip }));
    const host = this.network.lookup(plain);
    if (host === undefined || host.address === undefined) return local === undefined ? undefined : [];
    return [{ host, ip: host.address, source: host === this ? host.address : (this.address ?? host.address) }];
  }

  /**
   * The numeric address a socket binds for `interface`: the loopback rules of the kit, plus this
   * host's own name and address. Another host's name or address is not an address of this host
   * (`INVALID_ARGUMENT`, as `EADDRNOTAVAIL` is).
   */
  bindAddress(iface: string | undefined, port: number): string {
    if (iface !== undefined && this.address !== undefined) {
      const host = this.network.lookup(unbracket(iface));
      if (host === this) return this.address;
      if (host !== undefined) throw invalidArgument(`address ${formatEndpoint(iface, port)} is not available on host ${this.name}`);
    }
    return resolveBindHost(iface, port);
  }

  /** The error of an operation refused because the host is down or the network closed, or undefined. */
  unavailable(what: string): GenericError | undefined {
    if (this.network.closed) return new GenericError('CONNECTION_CLOSED', `${what}: the ${this.network.label} is closed`);
    if (this.#down) return new GenericError('CONNECTION_CLOSED', `${what}: host ${this.name} is down`);
    return undefined;
  }

  /**
   * Crashes the host: its sockets vanish without FIN or RST (their own pending and later operations
   * reject `CONNECTION_CLOSED`), its listeners stop, its port tables empty, and every link to or
   * from it blocks — what peers send meets silence.
   */
  crash(): void {
    if (this.#down) return;
    this.#down = true;
    this.generation += 1;
    for (const link of this.network.linksOf(this)) link.update();
    const error = new GenericError('CONNECTION_CLOSED', `host ${this.name} crashed`);
    for (const end of this.network.endsOn(this)) end.crash(error);
    this.tcp.crash(error);
    this.udp.crash();
  }

  /** Brings a crashed host back, with no sockets: links open, and what waited for it arrives. */
  restart(): void {
    if (!this.#down) return;
    this.#down = false;
    for (const link of this.network.linksOf(this)) link.update();
  }

  /** Closes every socket and listener of this host. */
  async close(): Promise<void> {
    await Promise.all([this.tcp.close(), this.udp.close()]);
  }
}
