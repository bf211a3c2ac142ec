import type { Socket } from 'node:net';
import { formatEndpoint, fromSystemError, GenericError, type Wire, type WireHandler } from '@sock/core';

/** Node reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`; users expect `a.b.c.d`. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * A `node:net` Socket as a {@link Wire}. It owns every listener it adds and removes them all when
 * the socket closes, and it always listens for `'error'`, so no socket fault can crash the process.
 *
 * @example
 * ```ts
 * const wire = new NetWire(socket);
 * const caller = new Connection(wire, options);
 * ```
 */
export class NetWire implements Wire {
  readonly #socket: Socket;
  readonly #target: string | undefined;
  #handler: WireHandler | undefined;
  #remoteAddress = '';
  #remotePort = 0;
  #localAddress = '';
  #localPort = 0;
  #errored = false;

  /** `target` names the peer while the socket is still connecting. */
  constructor(socket: Socket, target?: string) {
    this.#socket = socket;
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
    this.#handler = handler;
    const socket = this.#socket;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('drain', this.#onDrain);
    socket.once('close', this.#onClose);
  }

  write(chunk: Buffer): boolean {
    return this.#socket.write(chunk);
  }

  shutdownWrite(done: (error?: GenericError) => void): void {
    const socket = this.#socket;
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

  readonly #onData = (chunk: Buffer): void => {
    this.#handler!.data(chunk);
  };

  readonly #onEnd = (): void => {
    this.#handler!.end();
  };

  readonly #onDrain = (): void => {
    this.#handler!.drain();
  };

  readonly #onError = (error: Error): void => {
    if (this.#errored) return;
    this.#errored = true;
    const operation = this.#socket.connecting ? 'connect' : 'read';
    this.#handler!.error(fromSystemError(error, operation, this.#endpoint()));
  };

  readonly #onClose = (): void => {
    const socket = this.#socket;
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('drain', this.#onDrain);
    // 'error' stays handled: a late error from a closed socket must never go unlistened.
    socket.off('error', this.#onError);
    socket.on('error', ignore);
    this.#handler!.close();
  };
}

function ignore(): void {}
