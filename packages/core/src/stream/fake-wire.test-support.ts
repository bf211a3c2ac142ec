// Test support (not shipped: the build excludes *.test-support.ts): a Wire driven by hand.
import type { SocketError } from '../errors.js';
import { chooseDelivery } from './deliveries.js';
import { Connection, type ConnectionOptions } from './connection.js';
import type { Service } from '../service.js';
import type { FrameCodec } from '../framing/codec.js';
import { kWireClose, kWireData, kWireDrain, kWireEnd, kWireError, type Wire, type WireHandler, type WireInfo } from './wire.js';

/** A Wire whose events the test fires by hand and whose calls it records. */
export class FakeWire implements Wire {
  readonly info: WireInfo = { remoteAddress: '192.0.2.7', remotePort: 50_000, localAddress: '192.0.2.1', localPort: 7 };
  handler: WireHandler | undefined;
  readonly written: Buffer[] = [];
  /** What write() answers: false means "over the high-water mark, wait for drain". */
  accepting = true;
  paused = false;
  shutdowns = 0;
  closes = 0;
  destroys = 0;
  unshifted: Buffer[] = [];
  #closed = false;

  start(handler: WireHandler): void {
    this.handler = handler;
    this.paused = false;
  }
  write(chunk: Buffer): boolean {
    this.written.push(chunk);
    return this.accepting;
  }
  writev(chunks: readonly Buffer[]): boolean {
    this.written.push(Buffer.concat(chunks));
    return this.accepting;
  }
  shutdownWrite(done?: (error?: SocketError) => void): void {
    this.shutdowns++;
    done?.();
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  unshift(chunk: Buffer): void {
    this.unshifted.push(chunk);
  }
  close(): boolean {
    this.closes++;
    this.fireClose();
    return false;
  }
  destroy(): void {
    this.destroys++;
    this.fireClose();
  }
  resets = 0;
  reset(): void {
    this.resets++;
    this.fireClose();
  }

  get text(): string {
    return Buffer.concat(this.written).toString();
  }

  // The peer's side, as the test plays it.
  data(text: string | Buffer): void {
    this.handler![kWireData](typeof text === 'string' ? Buffer.from(text) : text);
  }
  end(): void {
    this.handler![kWireEnd]();
  }
  error(error: SocketError): void {
    this.handler![kWireError](error);
  }
  drain(): void {
    this.handler![kWireDrain]();
  }
  fireClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.handler?.[kWireClose]();
  }
}

/** Options for a connection over a fake wire, as a listener would make them. */
export function options(service: Service | undefined, extra: Partial<ConnectionOptions> & { framing?: FrameCodec } = {}): ConnectionOptions {
  const { framing, ...rest } = extra;
  return {
    role: 'server',
    service,
    delivery: chooseDelivery(service, framing),
    readTimeoutInMillis: 0,
    maxBufferedBytes: 64 * 1024 * 1024,
    idleTimeoutInMillis: 0,
    writeTimeoutInMillis: 0,
    ...rest,
  };
}

/** A connection over a fake wire, accepted and open (onConnect due). */
export function accepted(service: Service | undefined, extra: Partial<ConnectionOptions> & { framing?: FrameCodec } = {}): { connection: Connection; wire: FakeWire } {
  const wire = new FakeWire();
  const connection = new Connection(options(service, extra), wire);
  return { connection, wire };
}

/** Lets pending promise reactions run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await Promise.resolve();
}
