import type { Socket } from 'node:net';
import { formatEndpoint, fromSystemError, GenericError, type Wire, type WireHandler } from '@sock/core';

/** Node reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`; users expect `a.b.c.d`. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

// Each socket points at its wire, so that one set of listener functions serves every socket
// (Node calls them with `this` = the socket) instead of five closures per connection.
const WIRE = Symbol('@sock/tcp:wire');
type WiredSocket = Socket & { [WIRE]: NetWire };

function onData(this: WiredSocket, chunk: Buffer): void {
  this[WIRE].handler.data(chunk);
}
function onEnd(this: WiredSocket): void {
  this[WIRE].handler.end();
}
function onDrain(this: WiredSocket): void {
  this[WIRE].drained();
}
function onError(this: WiredSocket, error: Error): void {
  this[WIRE].failed(error);
}
function onClose(this: WiredSocket): void {
  this.off('data', onData);
  this.off('end', onEnd);
  this.off('drain', onDrain);
  // 'error' stays handled: a late error from a closed socket must never go unlistened.
  this.off('error', onError);
  this.on('error', ignore);
  this[WIRE].handler.close();
}
function ignore(): void {}

/**
 * A `node:net` Socket as a {@link Wire}. It always listens for `'error'`, so no socket fault can
 * crash the process, and removes its listeners when the socket closes.
 *
 * @example
 * ```ts
 * const wire = new NetWire(socket);
 * const caller = new Connection(wire, options);
 * ```
 */
export class NetWire implements Wire {
  /** Set by `start`; the Connection's events. */
  handler!: WireHandler;
  readonly #socket: WiredSocket;
  readonly #target: string | undefined;
  #remoteAddress = '';
  #remotePort = 0;
  #localAddress = '';
  #localPort = 0;
  #errored = false;
  #drainArmed = false;

  /** `target` names the peer while the socket is still connecting. */
  constructor(socket: Socket, target?: string) {
    this.#socket = socket as WiredSocket;
    this.#target = target;
    if (socket.remotePort !== undefined) this.connected();
  }

  get remoteAddress(): string {
    return this.#remoteAddress;
  }
  get remotePort(): number {
    return this.#remotePort;
  }
  get localAddress(): string {
    return this.#localAddress;
  }
  get localPort(): number {
    return this.#localPort;
  }

  /** Records the endpoints once connected: Node forgets them when the socket closes. */
  connected(): void {
    const socket = this.#socket;
    this.#remoteAddress = plainAddress(socket.remoteAddress);
    this.#remotePort = socket.remotePort ?? 0;
    this.#localAddress = plainAddress(socket.localAddress);
    this.#localPort = socket.localPort ?? 0;
  }

  start(handler: WireHandler): void {
    this.handler = handler;
    const socket = this.#socket;
    socket[WIRE] = this;
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.once('close', onClose);
  }

  write(chunk: Buffer): boolean {
    if (this.#socket.write(chunk)) return true;
    // 'drain' is listened for only while a write waits for it.
    if (!this.#drainArmed) {
      this.#drainArmed = true;
      this.#socket.once('drain', onDrain);
    }
    return false;
  }

  /** @internal */
  drained(): void {
    this.#drainArmed = false;
    this.handler.drain();
  }

  /** @internal */
  failed(error: Error): void {
    if (this.#errored) return;
    this.#errored = true;
    const operation = this.#socket.connecting ? 'connect' : 'read';
    this.handler.error(fromSystemError(error, operation, this.#endpoint()));
  }

  shutdownWrite(done?: (error?: GenericError) => void): void {
    const socket = this.#socket;
    if (done === undefined) {
      socket.end();
      return;
    }
    if (socket.writableFinished) {
      done();
      return;
    }
    const finish = (): void => {
      socket.off('close', early);
      done();
    };
    const early = (): void => {
      socket.off('finish', finish);
      done(new GenericError('CONNECTION_CLOSED', `connection to ${this.#endpoint()} closed before its end could be sent`));
    };
    socket.once('finish', finish);
    socket.once('close', early);
    socket.end();
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  close(): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    // Flush what is queued, send FIN, then release the socket without waiting for the peer's FIN.
    if (socket.writableFinished) socket.destroy();
    else {
      socket.once('finish', () => socket.destroy());
      socket.end();
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #endpoint(): string {
    return this.#remotePort > 0 ? formatEndpoint(this.#remoteAddress, this.#remotePort) : (this.#target ?? 'unknown peer');
  }
}
