import type { Socket } from 'node:net';
import { plainAddress } from '../address.js';
import type { Address } from '../config.js';
import { fromSystemError, GenericError, type SocketError } from '../errors.js';
import { isTlsError, tlsFailed } from '../tls/tls-errors.js';
import { kWireClose, kWireData, kWireDrain, kWireEnd, kWireError, peerName, type Wire, type WireHandler, type WireInfo } from './wire.js';

/**
 * The socket a {@link SocketWire} drives: a `net.Socket`, a `tls.TLSSocket`, or a TLS socket over any
 * duplex. A type-only import: core loads no `node:net` at run time.
 *
 * @example
 * ```ts
 * const socket: SocketLike = new net.Socket();
 * ```
 */
export type SocketLike = Socket;

// Each socket points at its wire, so that one set of listener functions serves every socket
// (Node calls them with `this` = the socket) instead of five closures per connection.
const WIRE = Symbol('@sock/core:wire');
type WiredSocket = SocketLike & { [WIRE]: SocketWire };

function onData(this: WiredSocket, chunk: Buffer): void {
  this[WIRE].handler[kWireData](chunk);
}
function onEnd(this: WiredSocket): void {
  this[WIRE].handler[kWireEnd]();
}
function onDrain(this: WiredSocket): void {
  this[WIRE].drained();
}
function onError(this: WiredSocket, error: Error): void {
  this[WIRE].failed(error);
}
function onClose(this: WiredSocket): void {
  // 'close' is a socket's last event: its listeners stay (removing them is work for nothing, the
  // socket is garbage with its wire), and 'error' stays handled, a late one going nowhere.
  this[WIRE].closed();
}
function ignore(): void {}

// Node makes a new string for every address it reports; connections from one peer, and every
// connection's local address, hold the same text. The last two seen are reused (no map to grow).
let lastAddress = '';
let previousAddress = '';
function shared(address: string): string {
  if (address === lastAddress) return lastAddress;
  if (address === previousAddress) return previousAddress;
  previousAddress = lastAddress;
  lastAddress = address;
  return address;
}

const STARTED = 1;
const ERRORED = 2;
const DRAIN_ARMED = 4;
const CLOSED = 8;

/**
 * A Node socket as a {@link Wire}. It always listens for `'error'` (so no socket fault can crash the
 * process), maps Node errors to SocketErrors naming the peer, records both endpoints once (Node
 * forgets them when the socket closes), and removes its listeners when the socket closes. Used by
 * `@sock/tcp` for `node:net` and TLS sockets, and by the test kit for TLS over its pipes.
 *
 * @example
 * ```ts
 * const wire = new SocketWire(socket);
 * const caller = new Connection(options, wire);
 * ```
 */
export class SocketWire implements Wire, WireInfo {
  /** Set by `start`; the owner's events. */
  handler!: WireHandler;
  // The endpoints live on the wire itself (it is its own WireInfo): one object less per connection,
  // 10k idle connections being normal.
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  // Declared only: set by the stages that learn them, so a plain wire carries no slot for them.
  declare tls?: WireInfo['tls'];
  declare proxyAddress?: WireInfo['proxyAddress'];
  declare proxyHeader?: WireInfo['proxyHeader'];
  readonly #socket: WiredSocket;
  #flags = 0;
  // A fault before anyone took the wire, delivered on start.
  #early: SocketError | undefined;

  /**
   * The socket must be connected: both endpoints are read now, once (Node forgets them when the
   * socket closes, and messages about a later reset must still name the peer); `info`, if given,
   * is taken instead (a TLS socket over a stream keeps the stream's endpoints). Endpoints known
   * without asking the OS may be given, numeric and in the form the OS reports: `peer`, by a
   * dialler that connected to an IPv4 literal (a socket's peer is the address it connected to);
   * `local`, by an acceptor bound to one address (every socket it accepts has that address). From
   * here on the socket's 'error' is always listened for.
   */
  constructor(socket: SocketLike, info?: WireInfo, peer?: Address, local?: Address) {
    const wired = socket as WiredSocket;
    this.#socket = wired;
    if (info === undefined) {
      if (peer === undefined) {
        this.remoteAddress = shared(plainAddress(socket.remoteAddress));
        this.remotePort = socket.remotePort ?? 0;
      } else {
        this.remoteAddress = shared(peer.host);
        this.remotePort = peer.port;
      }
      if (local === undefined) {
        this.localAddress = shared(plainAddress(socket.localAddress));
        this.localPort = socket.localPort ?? 0;
      } else {
        this.localAddress = local.host;
        this.localPort = local.port;
      }
    } else {
      this.remoteAddress = info.remoteAddress;
      this.remotePort = info.remotePort;
      this.localAddress = info.localAddress;
      this.localPort = info.localPort;
      if (info.tls !== undefined) this.tls = info.tls;
      if (info.proxyAddress !== undefined) this.proxyAddress = info.proxyAddress;
      if (info.proxyHeader !== undefined) this.proxyHeader = info.proxyHeader;
    }
    wired[WIRE] = this;
    socket.on('error', onError);
  }

  /** The endpoints: this wire. */
  get info(): WireInfo {
    return this;
  }

  /** The socket under this wire (for a stage that upgrades it, such as STARTTLS). */
  get socket(): SocketLike {
    return this.#socket;
  }

  start(handler: WireHandler): void {
    this.handler = handler;
    const socket = this.#socket;
    if ((this.#flags & STARTED) !== 0) {
      socket.resume();
      return;
    }
    this.#flags |= STARTED;
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    const early = this.#early;
    if (early !== undefined) {
      this.#early = undefined;
      handler[kWireError](early);
    }
  }

  write(chunk: Buffer): boolean {
    if (this.#socket.write(chunk)) return true;
    this.#armDrain();
    return false;
  }

  writev(chunks: readonly Buffer[]): boolean {
    const socket = this.#socket;
    socket.cork();
    let ok = true;
    for (const chunk of chunks) ok = socket.write(chunk);
    socket.uncork();
    if (!ok) this.#armDrain();
    return ok;
  }

  // 'drain' is listened for only while a write waits for it.
  #armDrain(): void {
    if ((this.#flags & DRAIN_ARMED) !== 0) return;
    this.#flags |= DRAIN_ARMED;
    this.#socket.once('drain', onDrain);
  }

  /** @internal */
  drained(): void {
    this.#flags &= ~DRAIN_ARMED;
    this.handler[kWireDrain]();
  }

  /** @internal */
  closed(): void {
    this.#flags |= CLOSED;
    this.handler[kWireClose]();
  }

  /** @internal */
  failed(error: Error): void {
    if ((this.#flags & (ERRORED | CLOSED)) !== 0) return;
    this.#flags |= ERRORED;
    const peer = peerName(this.info);
    // A TLS alert after the handshake (TLS 1.3: "certificate required") is a TLS failure, not a reset.
    const mapped = isTlsError(error) ? tlsFailed(error, peer) : fromSystemError(error, this.#socket.connecting ? 'connect' : 'read', peer);
    if ((this.#flags & STARTED) !== 0) this.handler[kWireError](mapped);
    else this.#early = mapped;
  }

  shutdownWrite(done?: (error?: SocketError) => void): void {
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
      done(new GenericError('CONNECTION_CLOSED', `connection to ${peerName(this.info)} closed before its end could be sent`));
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

  unshift(chunk: Buffer): void {
    this.#socket.unshift(chunk);
  }

  close(): boolean {
    const socket = this.#socket;
    if (socket.destroyed) return false;
    // Flush what is queued, send FIN, then release the socket without waiting for the peer's FIN.
    if (socket.writableFinished) {
      socket.destroy();
      return false;
    }
    const queued = socket.writableLength > 0;
    // end()'s callback runs once the FIN is flushed (or the socket failed): release it then.
    socket.end(() => socket.destroy());
    return queued;
  }

  destroy(): void {
    this.#socket.destroy();
  }

  reset(): void {
    const socket = this.#socket as SocketLike & { resetAndDestroy?: () => unknown };
    // A TLS socket over a stream cannot send RST itself: the stream under it is closed instead.
    if (typeof socket.resetAndDestroy === 'function' && !socket.destroyed && (socket as { _handle?: unknown })._handle != null) socket.resetAndDestroy();
    else socket.destroy();
  }

  detach(): SocketLike {
    const socket = this.#socket;
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('drain', onDrain);
    socket.off('close', onClose);
    // 'error' stays handled: the new owner listens on its own socket; a late error here goes nowhere.
    socket.off('error', onError);
    socket.on('error', ignore);
    return socket;
  }
}
