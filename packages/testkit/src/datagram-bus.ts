import {
  formatEndpoint,
  GenericError,
  rejected,
  resolveUdpClientConfig,
  resolveUdpConnectConfig,
  resolveUdpListenerConfig,
  UdpClientBase,
  UdpConnectedClientBase,
  UdpListenerBase,
  validatePort,
  type Address,
  type DatagramHandler,
  type DatagramWire,
  type UdpTransport,
} from '@sock/core/internal';
import { AddressTable, resolveBindHost, resolveHost } from './address-table.js';
import type { Link } from './link.js';

/**
 * The UDP half of a loopback network: its port table and the delivery of datagrams over the
 * network's {@link Link} (latency, seeded drop / duplicate / reorder). Internal; reach it through
 * `createLoopbackNetwork().udp`.
 *
 * - Each datagram is, in this order of decision, dropped (`dropRate`), delivered twice
 *   (`duplicateRate`), and held back until after the next datagram this socket sends (`reorderRate`;
 *   or 1 ms on `setTimeout` if none follows).
 * - A datagram to a port nobody bound is lost silently, as on a real network — except from a
 *   connected socket, which hears of it as `CONNECTION_REFUSED` (the ICMP "port unreachable").
 *
 * @example
 * ```ts
 * const bus = new DatagramBus(link);
 * const client = bus.transport.createUdpClient();
 * ```
 */
export class DatagramBus {
  readonly table = new AddressTable<BusWire>('udp');
  readonly link: Link;
  readonly transport: UdpTransport;
  readonly #wires = new Set<BusWire>();
  readonly #closers = new Set<() => Promise<void>>();
  #closed = false;

  constructor(link: Link) {
    this.link = link;
    this.transport = Object.freeze<UdpTransport>({
      createUdpClient: (config) => {
        const resolved = resolveUdpClientConfig(config);
        const local = resolved.localAddress;
        return this.#track(new UdpClientBase(new BusWire(this, local?.host, local?.port ?? 0), resolved));
      },
      createListener: (port, config) => {
        const bindPort = validatePort(port, 'port', 0);
        const resolved = resolveUdpListenerConfig(config);
        const listener = new UdpListenerBase(() => new BusWire(this, resolved.interface, bindPort));
        this.#closers.add(() => listener.immediateStop());
        return listener;
      },
      connect: async (config) => {
        const resolved = resolveUdpConnectConfig(config);
        const local = resolved.localAddress;
        return UdpConnectedClientBase.connected(
          this.#track(new UdpConnectedClientBase(new BusWire(this, local?.host, local?.port ?? 0, { host: resolved.host, port: resolved.port }), resolved)),
        );
      },
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  track(wire: BusWire, open: boolean): void {
    if (open) this.#wires.add(wire);
    else this.#wires.delete(wire);
  }

  /** Closes every UDP socket and listener made on this network. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#closers].map((close) => close().catch(() => {})));
    await Promise.all([...this.#wires].map((wire) => wire.close()));
  }

  #track<T extends { close(): Promise<void> }>(socket: T): T {
    this.#closers.add(() => socket.close());
    return socket;
  }
}

/**
 * One UDP socket on a loopback network, as the {@link DatagramWire} that `@sock/core`'s UDP bases
 * drive. With `remote` it is a connected socket: it sends only there and delivers only datagrams
 * from there.
 *
 * @example
 * ```ts
 * const wire = new BusWire(bus, '127.0.0.1', 0);
 * ```
 */
export class BusWire implements DatagramWire {
  readonly #bus: DatagramBus;
  readonly #host: string | undefined;
  readonly #port: number;
  readonly #remote: Address | undefined;
  #peer: Address | undefined;
  #handler: DatagramHandler | undefined;
  #local: Address | undefined;
  #held: Array<() => void> = [];
  #closed = false;

  constructor(bus: DatagramBus, host: string | undefined, port: number, remote?: Address) {
    this.#bus = bus;
    this.#host = host;
    this.#port = port;
    this.#remote = remote;
  }

  /** Connected mode: the peer's numeric address, once bound. */
  get remoteAddress(): Address | undefined {
    return this.#peer === undefined ? undefined : { ...this.#peer };
  }

  async bind(handler: DatagramHandler): Promise<Address> {
    if (this.#bus.closed || this.#closed) {
      throw new GenericError('CONNECTION_CLOSED', `cannot bind UDP ${formatEndpoint(this.#host ?? '::', this.#port)}: the loopback network is closed`);
    }
    const remote = this.#remote;
    if (remote !== undefined) {
      const addresses = resolveHost(remote.host);
      const where = formatEndpoint(remote.host, remote.port);
      if (addresses === undefined) throw new GenericError('HOST_NOT_FOUND', `host of ${where} was not found`);
      const ip = addresses[0];
      if (ip === undefined) throw new GenericError('INVALID_ARGUMENT', `address ${where} is not reachable on this network`);
      this.#peer = { host: ip, port: remote.port };
    }
    const host = resolveBindHost(this.#host, this.#port);
    const port = this.#bus.table.bind(host, this.#port, this);
    this.#local = { host, port };
    this.#handler = handler;
    this.#bus.track(this, true);
    return { ...this.#local };
  }

  send(data: Buffer, to: Address): Promise<number> {
    const local = this.#local;
    const peer = this.#peer;
    const destination = peer ?? to;
    const endpoint = formatEndpoint(destination.host, destination.port);
    if (this.#closed || local === undefined) return rejected(new GenericError('CONNECTION_CLOSED', `UDP socket is closed; cannot send to ${endpoint}`));
    const addresses = peer === undefined ? resolveHost(to.host) : [peer.host];
    if (addresses === undefined) return rejected(new GenericError('HOST_NOT_FOUND', `host of ${endpoint} was not found`));
    const table = this.#bus.table;
    const ip = addresses.find((candidate) => table.find(candidate, destination.port) !== undefined) ?? addresses[0];
    // The sender as the receiver sees it: the loopback address the datagram went to when bound to a wildcard.
    const from: Address = { host: local.host === '::' || local.host === '0.0.0.0' ? (ip ?? '127.0.0.1') : local.host, port: local.port };
    const payload = Buffer.from(data); // the sender may reuse its buffer
    this.#transmit(() => {
      const target = ip === undefined ? undefined : table.find(ip, destination.port);
      if (target !== undefined) target.#receive(payload, from);
      else if (peer !== undefined && !this.#closed) {
        this.#handler?.error(new GenericError('CONNECTION_REFUSED', `datagram to ${endpoint} was refused: nothing listens there`));
      }
    });
    return Promise.resolve(data.length);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#flushHeld();
    if (this.#local !== undefined) this.#bus.table.unbind(this.#local.port, this);
    this.#bus.track(this, false);
    const handler = this.#handler;
    if (handler !== undefined) queueMicrotask(() => handler.close());
  }

  // Applies the link's faults to one datagram, then schedules its delivery (and the held one's).
  #transmit(deliver: () => void): void {
    const link = this.#bus.link;
    const fate = link.datagramFate();
    if (fate.dropped) return;
    const send = (): void => {
      for (let i = 0; i < fate.copies; i++) link.schedule(deliver);
    };
    if (fate.reordered && this.#held.length === 0) {
      this.#held.push(send);
      setTimeout(() => this.#flushHeld(), 1);
      return;
    }
    send();
    this.#flushHeld();
  }

  #flushHeld(): void {
    for (const send of this.#held.splice(0)) send();
  }

  #receive(data: Buffer, from: Address): void {
    if (this.#closed) return;
    const peer = this.#peer;
    if (peer !== undefined && (from.host !== peer.host || from.port !== peer.port)) return;
    this.#handler?.message(Buffer.from(data), { ...from });
  }
}
