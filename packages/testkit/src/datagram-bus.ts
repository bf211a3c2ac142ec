import { Buffer } from 'node:buffer';
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
import { AddressTable } from './address-table.js';
import type { Host, Route } from './host.js';
import type { Link } from './link.js';

/**
 * The UDP side of one host: its port table and the delivery of datagrams over the {@link Link} to
 * the destination host (latency, partitions and holds, seeded drop / duplicate / reorder). Internal;
 * reach it through a host's `udp` transport (`createLoopbackNetwork().udp`, `sim.host(name).udp`).
 *
 * - Each datagram is, in this order of decision, dropped (`dropRate`), delivered twice
 *   (`duplicateRate`), and held back until after the next datagram this socket sends (`reorderRate`;
 *   or 1 ms on `setTimeout` if none follows).
 * - When it is due: over a partition it is dropped, over a hold it waits (and arrives, in order, on
 *   release); a host that is down, an address no host has, or a port nobody bound lose it silently,
 *   as on a real network — except that a connected socket hears of the unbound port as
 *   `CONNECTION_REFUSED` (the ICMP "port unreachable").
 *
 * @example
 * ```ts
 * const bus = new DatagramBus(host);
 * const client = bus.transport.createUdpClient();
 * ```
 */
export class DatagramBus {
  table = new AddressTable<BusWire>('udp');
  readonly host: Host;
  readonly transport: UdpTransport;
  readonly #wires = new Set<BusWire>();
  readonly #closers = new Set<() => Promise<void>>();
  readonly #listeners = new Set<UdpListenerBase>();

  constructor(host: Host) {
    this.host = host;
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
        this.#listeners.add(listener);
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

  track(wire: BusWire, open: boolean): void {
    if (open) this.#wires.add(wire);
    else this.#wires.delete(wire);
  }

  /** The host crashed: every socket is gone (its receives reject `CONNECTION_CLOSED`), listeners stop. */
  crash(): void {
    for (const listener of this.#listeners) void listener.immediateStop();
    this.#listeners.clear();
    for (const wire of [...this.#wires]) void wire.close();
    this.table = new AddressTable<BusWire>('udp');
  }

  /** Closes every UDP socket and listener made on this host. */
  async close(): Promise<void> {
    await Promise.all([...this.#listeners].map((listener) => listener.immediateStop().catch(() => {})));
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
  #table: AddressTable<BusWire> | undefined;
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
    const bus = this.#bus;
    const where = `cannot bind UDP ${formatEndpoint(this.#host ?? '::', this.#port)}`;
    const unavailable = bus.host.unavailable(where);
    if (unavailable !== undefined) throw unavailable;
    if (this.#closed) throw new GenericError('CONNECTION_CLOSED', `${where}: the socket is closed`);
    const remote = this.#remote;
    if (remote !== undefined) {
      const routes = bus.host.resolve(remote.host);
      const target = formatEndpoint(remote.host, remote.port);
      if (routes === undefined) throw new GenericError('HOST_NOT_FOUND', `host of ${target} was not found`);
      const route = routes[0];
      if (route === undefined) throw new GenericError('INVALID_ARGUMENT', `address ${target} is not reachable on this network`);
      this.#peer = { host: route.ip, port: remote.port };
    }
    const host = bus.host.bindAddress(this.#host, this.#port);
    const table = bus.table;
    const port = table.bind(host, this.#port, this);
    this.#table = table;
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
    const host = this.#bus.host;
    const routes = host.resolve(peer === undefined ? to.host : peer.host);
    if (routes === undefined) return rejected(new GenericError('HOST_NOT_FOUND', `host of ${endpoint} was not found`));
    const route = routes.find((candidate) => candidate.host.udp.table.find(candidate.ip, destination.port) !== undefined) ?? routes[0];
    const payload = Buffer.from(data); // the sender may reuse its buffer
    if (route === undefined) {
      // An address no host has: lost, as on a real network.
      if (host.network.tracing) host.network.record('udp:unreachable', host, destination.host, payload.length);
      return Promise.resolve(data.length);
    }
    // The sender as the receiver sees it: the address the datagram left from when bound to a wildcard.
    const wildcard = local.host === '::' || local.host === '0.0.0.0';
    const from: Address = { host: wildcard ? route.source : local.host, port: local.port };
    const link = host.network.link(host, route.host);
    this.#transmit(link, payload.length, this.#arrival(link, route, destination.port, payload, from, endpoint));
    return Promise.resolve(data.length);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#flushHeld();
    if (this.#local !== undefined) this.#table?.unbind(this.#local.port, this);
    this.#bus.track(this, false);
    const handler = this.#handler;
    if (handler !== undefined) queueMicrotask(() => handler.close());
  }

  // What happens when one datagram is due at the other end of `link`: it checks the link and the
  // receiving host then, so partitions, holds and crashes catch datagrams already in flight.
  #arrival(link: Link, route: Route, port: number, payload: Buffer, from: Address, endpoint: string): () => void {
    const sender = this.#bus.host;
    const generation = sender.generation;
    const peer = this.#peer;
    const arrive = (): void => {
      const receiver = route.host;
      if (sender.generation !== generation) {
        // Its socket vanished with its host.
        if (link.tracing) link.record('udp:lost', payload.length);
        return;
      }
      if (link.partitioned) {
        if (link.tracing) link.record('udp:partitioned', payload.length);
        return;
      }
      if (receiver.down) {
        if (link.tracing) link.record('udp:unreachable', payload.length);
        return;
      }
      if (link.blocked) {
        link.park(arrive);
        return;
      }
      const target = receiver.udp.table.find(route.ip, port);
      if (target !== undefined) {
        if (link.tracing) link.record('udp', payload.length);
        target.#receive(payload, from);
        return;
      }
      if (link.tracing) link.record('udp:unreachable', payload.length);
      if (peer !== undefined && !this.#closed) {
        this.#handler?.error(new GenericError('CONNECTION_REFUSED', `datagram to ${endpoint} was refused: nothing listens there`));
      }
    };
    return arrive;
  }

  // Applies the link's faults to one datagram, then schedules its delivery (and the held one's).
  #transmit(link: Link, bytes: number, deliver: () => void): void {
    const fate = link.datagramFate();
    if (fate.dropped) {
      if (link.tracing) link.record('udp:drop', bytes);
      return;
    }
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
