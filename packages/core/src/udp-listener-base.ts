import type { Address } from './config.js';
import type { DatagramWire } from './datagram-wire.js';
import { formatEndpoint, GenericError, invalidArgument, type SocketError } from './errors.js';
import { handled, noop, rejected } from './promises.js';
import type { Datagram, UdpCaller, UdpListener, UdpService } from './transport.js';
import { checkDatagram } from './udp-client-base.js';

/**
 * The one UDP listener behaviour, over a {@link DatagramWire} made at `start()`: each datagram goes
 * to `service.onDatagram(datagram, caller)` (datagrams are independent, so calls may overlap); a
 * resource that throws goes to `onError` as `HANDLER_FAILED` and the listener keeps serving.
 * `gracefulStop` stops receiving and waits for running handlers; `immediateStop` does not wait.
 *
 * @example
 * ```ts
 * class UdpListener extends UdpListenerBase {
 *   constructor(port: number, config?: UdpListenerConfig) { super(() => new DgramWire(...)); }
 * }
 * ```
 */
export class UdpListenerBase implements UdpListener {
  readonly #makeWire: () => DatagramWire;
  readonly #running = new Set<Promise<void>>();
  #service: UdpService | undefined;
  #wire: DatagramWire | undefined;
  #address: Address | undefined;
  #started: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;
  #warned = false;

  constructor(makeWire: () => DatagramWire) {
    this.#makeWire = makeWire;
  }

  get address(): Address | undefined {
    return this.#address === undefined ? undefined : { ...this.#address };
  }

  attach(service: UdpService): void {
    if (typeof service !== 'object' || service === null || typeof service.onDatagram !== 'function') {
      throw invalidArgument('a UDP service must be an object with an onDatagram function');
    }
    if (service.onError !== undefined && typeof service.onError !== 'function') {
      throw invalidArgument('service.onError must be a function');
    }
    if (this.#service !== undefined && this.#service !== service) {
      throw invalidArgument('this listener already has a service attached; detach it first');
    }
    this.#service = service;
  }

  detach(service: UdpService): void {
    if (this.#service !== service) throw invalidArgument('that service is not attached to this listener');
    this.#service = undefined;
  }

  start(): Promise<void> {
    // Stopped first: after a stop, `#started` still holds the old (resolved) start.
    if (this.#stopped !== undefined) return Promise.reject(new GenericError('CONNECTION_CLOSED', 'this listener was stopped; create a new one'));
    if (this.#started !== undefined) return this.#started;
    if (this.#service === undefined) return Promise.reject(invalidArgument('attach a service before starting the listener'));
    const wire = this.#makeWire();
    this.#wire = wire;
    this.#started = wire
      .bind({
        message: (data, from) => this.#dispatch(wire, { data, address: from }),
        error: (error) => this.#report(undefined, error),
        close: noop,
      })
      .then(
        (address) => {
          this.#address = address;
        },
        (error: unknown) => {
          this.#started = undefined;
          this.#wire = undefined;
          throw error;
        },
      );
    return this.#started;
  }

  gracefulStop(): Promise<void> {
    return this.#stop(true);
  }

  immediateStop(): Promise<void> {
    return this.#stop(false);
  }

  #stop(wait: boolean): Promise<void> {
    this.#stopped ??= (async () => {
      const started = this.#started;
      if (started !== undefined) await started.catch(noop);
      const wire = this.#wire;
      this.#wire = undefined;
      if (wire !== undefined) await wire.close();
      if (wait) await Promise.all(this.#running);
    })();
    return this.#stopped;
  }

  #dispatch(wire: DatagramWire, datagram: Datagram): void {
    const service = this.#service;
    if (service === undefined || this.#wire !== wire) return;
    const caller = this.#caller(wire, datagram.address);
    let result: unknown;
    try {
      result = service.onDatagram(datagram, caller);
    } catch (error) {
      this.#failed(caller, error);
      return;
    }
    if (typeof result === 'object' && result !== null && typeof (result as PromiseLike<unknown>).then === 'function') {
      const running = Promise.resolve(result).then(noop, (error: unknown) => this.#failed(caller, error));
      this.#running.add(running);
      void running.then(() => this.#running.delete(running));
    }
  }

  #caller(wire: DatagramWire, address: Address): UdpCaller {
    const send = (data: Uint8Array | string, to: Address): Promise<number> => {
      let payload: Buffer;
      let target: Address;
      try {
        [payload, target] = checkDatagram(data, to);
      } catch (error) {
        return rejected(error);
      }
      if (this.#wire !== wire) {
        return rejected(new GenericError('CONNECTION_CLOSED', `UDP listener on ${this.#where()} is stopped`));
      }
      return handled(wire.send(payload, target).then(() => payload.length));
    };
    return {
      address: { ...address },
      reply: (data) => send(data, address),
      sendTo: (data, to) => send(data, to),
    };
  }

  #failed(caller: UdpCaller, error: unknown): void {
    const failure = new GenericError('HANDLER_FAILED', `UDP service onDatagram failed for a datagram from ${formatEndpoint(caller.address.host, caller.address.port)}`, error);
    this.#report(caller, failure);
  }

  #report(caller: UdpCaller | undefined, error: SocketError): void {
    const onError = this.#service?.onError;
    if (onError === undefined) {
      this.#warn(error);
      return;
    }
    try {
      const result = onError.call(this.#service, caller, error);
      if (typeof result === 'object' && result !== null && typeof (result as PromiseLike<unknown>).then === 'function') {
        Promise.resolve(result).catch((failure: unknown) => this.#warn(new GenericError('HANDLER_FAILED', 'UDP service onError failed', failure)));
      }
    } catch (failure) {
      this.#warn(new GenericError('HANDLER_FAILED', 'UDP service onError failed', failure));
    }
  }

  #where(): string {
    return this.#address === undefined ? 'an unbound port' : formatEndpoint(this.#address.host, this.#address.port);
  }

  #warn(error: SocketError): void {
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(`UDP listener on ${this.#where()}: ${error.message}`, { type: 'SocketWarning', code: error.code });
  }
}
