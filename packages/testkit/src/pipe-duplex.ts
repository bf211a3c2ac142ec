import { Duplex } from 'node:stream';
import { kWireClose, kWireData, kWireDrain, kWireEnd, kWireError } from '@sock/core/internal';
import type { PipeEnd } from './pipe.js';

/**
 * One end of an in-memory TCP connection as a Node `Duplex`, so that `node:tls` can run over it
 * (a TLS socket wraps any duplex). The pipe's backpressure carries through: a full read buffer
 * pauses the pipe, a write over the pipe's high-water mark waits for its drain.
 *
 * @example
 * ```ts
 * const socket = tls.connect({ socket: new PipeDuplex(end), host: 'localhost', ca });
 * ```
 */
export class PipeDuplex extends Duplex {
  readonly #end: PipeEnd;
  #waitingWrite: (() => void) | undefined;

  constructor(end: PipeEnd) {
    super({ allowHalfOpen: true });
    this.#end = end;
    end.start({
      [kWireData]: (chunk: Buffer) => {
        if (!this.push(chunk)) end.pause();
      },
      [kWireEnd]: () => {
        this.push(null);
      },
      [kWireError]: (error: Error) => {
        this.destroy(error);
      },
      [kWireClose]: () => {
        if (!this.destroyed) this.destroy();
      },
      [kWireDrain]: () => {
        const resume = this.#waitingWrite;
        this.#waitingWrite = undefined;
        resume?.();
      },
    });
  }

  override _read(): void {
    this.#end.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#end.write(chunk)) callback();
    else this.#waitingWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#end.shutdownWrite((error) => callback(error ?? null));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#end.destroy();
    callback(error);
  }
}
