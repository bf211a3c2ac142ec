import type { Address } from '../config.js';
import { handlerFailed, publishError, warnUnhandled } from '../diagnostics.js';
import { formatEndpoint, GenericError, invalidArgument, type SocketError } from '../errors.js';
import { ListenerLifecycle } from '../listener-lifecycle.js';
import type { Datagram, UdpCaller, UdpListener, UdpService } from '../transport.js';
import { isThenable } from '../util/promises.js';
import { describeValue, validateObject } from '../validate.js';
import type { DatagramWire } from './datagram-wire.js';
import { sendDatagram, type SendState } from './send.js';

const UDP_RESOURCES = new Set(['onDatagram', 'onError']);

/**
 * Checks a {@link UdpService} before it is attached: an object with an `onDatagram` function, an
 * optional `onError` function, and no other `on…` member, own or inherited (a misspelled or a TCP
 * resource such as `onBytes` is refused, naming it).
 *
 * @example
 * ```ts
 * validateUdpService({ onDatagram: (datagram, caller) => caller.reply(datagram.data) });
 * ```
 */
export function validateUdpService(value: unknown): UdpService {
  const record = validateObject(value, 'UDP service');
  for (let proto: object | null = record; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!/^on[A-Z]/.test(name) && name.toLowerCase() !== 'ondatagram' && name.toLowerCase() !== 'onerror') continue;
      const member = (record)[name];
      if (member === undefined) continue;
      if (!UDP_RESOURCES.has(name)) throw invalidArgument(`UDP service member ${name} is not a resource of a UDP service (resources: onDatagram, onError)`);
      if (typeof member !== 'function') throw invalidArgument(`UDP service.${name} must be a function, got ${describeValue(member)}`);
    }
  }
  if (typeof record.onDatagram !== 'function') throw invalidArgument('a UDP service must have an onDatagram function');
  return value as UdpService;
}

// What a caller's sends ask: is the listener still using this wire? One per started wire.
class WireState implements SendState {
  readonly #listener: UdpListenerBase;
  readonly wire: DatagramWire;

  constructor(listener: UdpListenerBase, wire: DatagramWire) {
    this.#listener = listener;
    this.wire = wire;
  }

  closedError(): SocketError | undefined {
    return this.#listener[STOPPED](this.wire);
  }
}

// The sender of one datagram: one small object per datagram, its methods on the prototype.
class DatagramCaller implements UdpCaller {
  readonly address: Address;
  readonly #state: WireState;

  constructor(state: WireState, address: Address) {
    this.#state = state;
    this.address = address;
  }

  reply(data: Uint8Array | string): Promise<number> {
    // The sender's address came from the wire: numeric and valid, no need to check it again.
    return sendDatagram(this.#state.wire, data, this.address, true, this.#state);
  }

  sendTo(data: Uint8Array | string, address: Address): Promise<number> {
    return sendDatagram(this.#state.wire, data, address, false, this.#state);
  }
}

const STOPPED = Symbol('stopped');

/**
 * The one UDP listener behaviour, over a {@link DatagramWire} made at `start()`: each datagram goes
 * to `service.onDatagram(datagram, caller)` (datagrams are independent, so calls may overlap); a
 * resource that throws goes to `onError` as `HANDLER_FAILED` and the listener keeps serving.
 * `gracefulStop({ timeoutInMillis })` stops receiving and waits for running handlers up to the
 * deadline; `immediateStop` does not wait. The lifecycle is the one every listener shares.
 *
 * @example
 * ```ts
 * class UdpListener extends UdpListenerBase {
 *   constructor(port: number, config?: UdpListenerConfig) { super(() => new DgramWire({ port })); }
 * }
 * ```
 */
export class UdpListenerBase extends ListenerLifecycle<UdpService> implements UdpListener {
  readonly #makeWire: () => DatagramWire;
  #wire: DatagramWire | undefined;
  #running = 0;
  #idle: (() => void) | undefined;
  #warned = false;

  constructor(makeWire: () => DatagramWire) {
    super();
    this.#makeWire = makeWire;
  }

  /** @internal The error a send through `wire` gets, or undefined while the listener still uses it. */
  [STOPPED](wire: DatagramWire): SocketError | undefined {
    if (this.#wire === wire) return undefined;
    return new GenericError('CONNECTION_CLOSED', `UDP listener on ${this.#where()} is stopped`);
  }

  protected validate(service: unknown): UdpService {
    return validateUdpService(service);
  }

  protected listen(): Promise<Address> {
    const wire = this.#makeWire();
    this.#wire = wire;
    const state = new WireState(this, wire);
    return wire
      .bind({
        message: (data, from) => this.#dispatch(state, data, from),
        error: (error) => this.#report(undefined, error),
        close() {},
      })
      .catch((error: unknown) => {
        this.#wire = undefined;
        throw error;
      });
  }

  protected async stopAccepting(): Promise<void> {
    const wire = this.#wire;
    this.#wire = undefined;
    if (wire !== undefined) await wire.close();
  }

  protected async settle(timeoutInMillis: number): Promise<void> {
    if (this.#running === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.#idle = resolve;
      timer = setTimeout(resolve, timeoutInMillis);
    });
    clearTimeout(timer);
    this.#idle = undefined;
  }

  protected async destroyAll(): Promise<void> {
    // The socket closed in stopAccepting; running handlers are not waited for.
    this.#idle?.();
  }

  #dispatch(state: WireState, data: Buffer, from: Address): void {
    const service = this.service;
    if (service === undefined || this.#wire !== state.wire) return;
    const caller = new DatagramCaller(state, from);
    const datagram: Datagram = { data, address: from };
    let result: unknown;
    try {
      result = service.onDatagram(datagram, caller);
    } catch (error) {
      this.#failed(caller, error);
      return;
    }
    if (!isThenable(result)) return;
    this.#running++;
    result.then(
      () => this.#finished(),
      (error: unknown) => {
        this.#failed(caller, error);
        this.#finished();
      },
    );
  }

  #finished(): void {
    this.#running--;
    if (this.#running === 0) this.#idle?.();
  }

  #failed(caller: UdpCaller, error: unknown): void {
    this.#report(caller, handlerFailed('onDatagram', `a datagram from ${formatEndpoint(caller.address.host, caller.address.port)}`, error));
  }

  #report(caller: UdpCaller | undefined, error: SocketError): void {
    publishError(caller, error);
    const service = this.service;
    const onError = service?.onError;
    if (onError === undefined) {
      this.#warn(error);
      return;
    }
    try {
      const result = onError.call(service, caller, error);
      if (isThenable(result)) result.then(undefined, (failure: unknown) => this.#warn(handlerFailed('onError', `UDP listener on ${this.#where()}`, failure)));
    } catch (failure) {
      this.#warn(handlerFailed('onError', `UDP listener on ${this.#where()}`, failure));
    }
  }

  #warn(error: SocketError): void {
    if (this.#warned) return;
    if (warnUnhandled(error, `UDP listener on ${this.#where()}`)) this.#warned = true;
  }

  #where(): string {
    const address = this.address;
    return address === undefined ? 'an unbound port' : formatEndpoint(address.host, address.port);
  }
}
