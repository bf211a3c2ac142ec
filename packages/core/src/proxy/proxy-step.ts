import { GenericError, isSocketError, type SocketError } from '../errors.js';
import type { AcceptStep } from '../stream/accept-step.js';
import { kWireClose, kWireData, kWireDrain, kWireEnd, kWireError, peerName, type Wire, type WireHandler, type WireInfo } from '../stream/wire.js';
import type { ProxyHeader } from './proxy-header.js';
import { ProxyHeaderParser, type ProxyProtocolVersion } from './proxy-parser.js';

/**
 * How long a connection may take to send its PROXY header before it is closed.
 *
 * @example
 * ```ts
 * new Listener(0, { proxyProtocol: 'v2', proxyHeaderTimeoutInMillis: DEFAULT_PROXY_HEADER_TIMEOUT_IN_MILLIS / 5 });
 * ```
 */
export const DEFAULT_PROXY_HEADER_TIMEOUT_IN_MILLIS = 5_000;

function invalid(peer: string, what: string, cause?: unknown): SocketError {
  return new GenericError('PROXY_PROTOCOL_INVALID', `connection from ${peer}: ${what}`, cause);
}

// The accepted wire, handed on once its header was read. What it reported meanwhile beyond data (the
// peer ended, failed, closed) is kept and replayed to the connection, so nothing falls between owners.
class HeldWire implements Wire {
  readonly #inner: Wire;
  readonly #held: Array<(handler: WireHandler) => void>;

  constructor(inner: Wire, held: Array<(handler: WireHandler) => void>) {
    this.#inner = inner;
    this.#held = held;
  }
  get info(): WireInfo {
    return this.#inner.info;
  }
  start(handler: WireHandler): void {
    this.#inner.start(handler);
    for (const replay of this.#held.splice(0)) replay(handler);
  }
  write(chunk: Buffer): boolean {
    return this.#inner.write(chunk);
  }
  writev(chunks: readonly Buffer[]): boolean {
    return this.#inner.writev(chunks);
  }
  shutdownWrite(done?: (error?: SocketError) => void): void {
    this.#inner.shutdownWrite(done);
  }
  pause(): void {
    this.#inner.pause();
  }
  resume(): void {
    this.#inner.resume();
  }
  unshift(chunk: Buffer): void {
    this.#inner.unshift(chunk);
  }
  close(): boolean {
    return this.#inner.close();
  }
  destroy(): void {
    this.#inner.destroy();
  }
  reset(): void {
    this.#inner.reset();
  }
  get detach(): Wire['detach'] {
    const detach = this.#inner.detach;
    return detach === undefined ? undefined : () => detach.call(this.#inner);
  }
}

/**
 * Options of the PROXY protocol accept step.
 *
 * @example
 * ```ts
 * proxyAcceptStep({ version: 'v2', trusted: trustedProxies(['10.0.0.0/8']) });
 * ```
 */
export interface ProxyStepOptions {
  readonly version: ProxyProtocolVersion;
  /** Which peers may send a header (the balancers); others are refused before a byte is read. */
  readonly trusted?: ((address: string) => boolean) | undefined;
  readonly timeoutInMillis?: number;
}

/**
 * The PROXY protocol accept step of a listener with `proxyProtocol`: the header is mandatory (the
 * HAProxy spec: a receiver "MUST not try to guess"). It is read with the bounded parser before the
 * service sees a byte; what follows it is put back for the service. For a `PROXY` header the
 * connection's remote address becomes the client's and `proxyAddress` the balancer's; a `LOCAL`
 * header (a health check) keeps the balancer's. A missing, malformed, late or untrusted header
 * closes the connection with `PROXY_PROTOCOL_INVALID` (on `sock:error`); the service never sees it.
 *
 * @example
 * ```ts
 * const steps = [proxyAcceptStep({ version: 'any' })];
 * ```
 */
export function proxyAcceptStep(options: ProxyStepOptions): AcceptStep {
  const timeout = options.timeoutInMillis ?? DEFAULT_PROXY_HEADER_TIMEOUT_IN_MILLIS;
  return Object.freeze<AcceptStep>({
    name: 'PROXY protocol header',
    timeoutInMillis: timeout,
    timedOut: (peer) => invalid(peer, `no PROXY protocol header within ${timeout} ms`),
    run(wire, { signal }) {
      const peer = peerName(wire.info);
      if (options.trusted !== undefined && !options.trusted(wire.info.remoteAddress)) {
        return Promise.reject(invalid(peer, 'a PROXY protocol header is accepted only from a trusted balancer, and this peer is not one'));
      }
      const parser = new ProxyHeaderParser({ version: options.version });
      return new Promise<Wire>((resolve, reject) => {
        const held: Array<(handler: WireHandler) => void> = [];
        let done = false;
        const finish = (error: SocketError | undefined, header?: ProxyHeader, rest?: Buffer): void => {
          if (done) return;
          done = true;
          signal.removeEventListener('abort', aborted);
          if (error !== undefined) {
            reject(error);
            return;
          }
          wire.pause();
          if (rest !== undefined && rest.length > 0) wire.unshift(rest);
          applyHeader(wire.info, header!);
          resolve(new HeldWire(wire, held));
        };
        const aborted = (): void => finish(signal.reason as SocketError);
        signal.addEventListener('abort', aborted);
        wire.start({
          [kWireData](chunk: Buffer) {
            if (done) return; // paused: nothing more comes before the connection takes over
            let result;
            try {
              result = parser.push(chunk);
            } catch (error) {
              finish(isSocketError(error) ? invalid(peer, error.message, error) : invalid(peer, 'a malformed PROXY protocol header', error));
              return;
            }
            if (result.done) finish(undefined, result.header, result.rest);
          },
          [kWireEnd]() {
            if (done) held.push((handler) => handler[kWireEnd]());
            else finish(invalid(peer, 'the peer ended its stream before a complete PROXY protocol header'));
          },
          [kWireError](error: SocketError) {
            if (done) held.push((handler) => handler[kWireError](error));
            else finish(invalid(peer, `the connection failed before a complete PROXY protocol header: ${error.message}`, error));
          },
          [kWireClose]() {
            if (done) held.push((handler) => handler[kWireClose]());
            else finish(invalid(peer, 'the connection closed before a complete PROXY protocol header'));
          },
          [kWireDrain]() {
            if (done) held.push((handler) => handler[kWireDrain]());
          },
        });
      });
    },
  });
}

// A PROXY header names the real client: it becomes the remote address, the balancer's is kept.
function applyHeader(info: WireInfo, header: ProxyHeader): void {
  info.proxyHeader = header;
  if (header.command !== 'PROXY' || header.source === undefined) return;
  info.proxyAddress = { host: info.remoteAddress, port: info.remotePort };
  info.remoteAddress = header.source.host;
  info.remotePort = header.source.port;
}
