import {
  formatEndpoint,
  GenericError,
  resolveUdpClientConfig,
  resolveUdpListenerConfig,
  UdpClientBase,
  UdpListenerBase,
  validatePort,
  type Address,
  type DatagramHandler,
  type DatagramWire,
  type UdpTransport,
} from '@sock/core';
import { AddressTable, resolveBindHost, resolveHost } from './network.js';
import type { UdpFaults } from './loopback.js';

/**
 * The UDP half of a loopback network: its port table and the delivery of datagrams with seeded
 * faults. Internal; reach it through `createLoopbackNetwork().udp`.
 *
 * - Delivery is asynchronous: a microtask, or `setTimeout(latency)` when the network has latency.
 * - Each datagram is, in this order of decision, dropped (`dropRate`), held back and delivered
 *   after the next datagram this socket sends (`reorderRate`; or after 1 ms on `setTimeout` if none
 *   follows), and delivered twice (`duplicateRate`). Every decision draws from the network's seeded
 *   generator, so a seed replays the same faults for the same traffic.
 * - A datagram to a port nobody bound is lost silently, as on a real network.
 *
 * @example
 * ```ts
 * const bus = new DatagramBus(() => faults, () => 0, seededRandom(1));
 * const client = bus.transport.createUdpClient();
 * ```
 */
export class DatagramBus {
  readonly table = new AddressTable<BusWire>('udp');
  readonly faults: () => Required<UdpFaults>;
  readonly latency: () => number;
  readonly random: () => number;
  readonly transport: UdpTransport;
  readonly #wires = new Set<BusWire>();
  readonly #closers = new Set<() => Promise<void>>();
  #closed = false;

  constructor(faults: () => Required<UdpFaults>, latency: () => number, random: () => number) {
    this.faults = faults;
    this.latency = latency;
    this.random = random;
    this.transport = Object.freeze<UdpTransport>({
      createUdpClient: (config) => {
        const resolved = resolveUdpClientConfig(config);
        const local = resolved.localAddress;
        const client = new UdpClientBase(new BusWire(this, local?.host, local?.port ?? 0), resolved);
        this.#closers.add(() => client.close());
        return client;
      },
      createListener: (port, config) => {
        const bindPort = validatePort(port, 'port', 0);
        const resolved = resolveUdpListenerConfig(config);
        const listener = new UdpListenerBase(() => new BusWire(this, resolved.interface, bindPort));
        this.#closers.add(() => listener.immediateStop());
        return listener;
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
}

/**
 * One UDP socket on a loopback network, as the {@link DatagramWire} that `@sock/core`'s
 * `UdpClientBase` and `UdpListenerBase` drive.
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
  #handler: DatagramHandler | undefined;
  #local: Address | undefined;
  #held: Array<() => void> = [];
  #closed = false;

  constructor(bus: DatagramBus, host: string | undefined, port: number) {
    this.#bus = bus;
    this.#host = host;
    this.#port = port;
  }

  async bind(handler: DatagramHandler): Promise<Address> {
    if (this.#bus.closed || this.#closed) {
      throw new GenericError('CONNECTION_CLOSED', `cannot bind UDP ${formatEndpoint(this.#host ?? '::', this.#port)}: the loopback network is closed`);
    }
    const host = resolveBindHost(this.#host, this.#port);
    const port = this.#bus.table.bind(host, this.#port, this);
    this.#local = { host, port };
    this.#handler = handler;
    this.#bus.track(this, true);
    return { ...this.#local };
  }

  async send(data: Buffer, to: Address): Promise<void> {
    const endpoint = formatEndpoint(to.host, to.port);
    const local = this.#local;
    if (this.#closed || local === undefined) throw new GenericError('CONNECTION_CLOSED', `UDP socket is closed; cannot send to ${endpoint}`);
    const addresses = resolveHost(to.host);
    if (addresses === undefined) throw new GenericError('HOST_NOT_FOUND', `host of ${endpoint} was not found`);
    const ip = addresses.find((candidate) => this.#bus.table.find(candidate, to.port) !== undefined) ?? addresses[0];
    const target = ip === undefined ? undefined : this.#bus.table.find(ip, to.port);
    // The sender as the receiver sees it: the loopback address the datagram went to when bound to a wildcard.
    const from: Address = { host: local.host === '::' || local.host === '0.0.0.0' ? (ip ?? '127.0.0.1') : local.host, port: local.port };
    const payload = Buffer.from(data); // the sender may reuse its buffer
    this.#transmit(() => {
      if (target !== undefined) target.#receive(payload, from);
    });
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

  // Applies the faults to one datagram, then schedules its delivery (and the held one's).
  #transmit(deliver: () => void): void {
    const bus = this.#bus;
    const { dropRate, duplicateRate, reorderRate } = bus.faults();
    if (bus.random() < dropRate) return;
    const copies = bus.random() < duplicateRate ? 2 : 1;
    const send = (): void => {
      for (let i = 0; i < copies; i++) this.#schedule(deliver);
    };
    if (bus.random() < reorderRate && this.#held.length === 0) {
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

  #schedule(deliver: () => void): void {
    const latency = this.#bus.latency();
    if (latency > 0) setTimeout(deliver, latency);
    else queueMicrotask(deliver);
  }

  #receive(data: Buffer, from: Address): void {
    if (this.#closed) return;
    this.#handler?.message(Buffer.from(data), { ...from });
  }
}
