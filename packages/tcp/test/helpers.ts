import { afterEach } from 'vitest';
import { Client, Listener, type ClientConfig, type ListenerConfig, type Service } from '../src/index.js';

type Closer = () => Promise<unknown>;
const closers: Closer[] = [];

/** Registers something to close after the current test, newest first. */
export function track<T extends { close(): Promise<unknown> } | { immediateStop(): Promise<unknown> }>(thing: T): T {
  closers.push(() => ('immediateStop' in thing ? thing.immediateStop() : thing.close()));
  return thing;
}

afterEach(async () => {
  const pending = closers.splice(0).reverse();
  for (const close of pending) await close().catch(() => undefined);
});

/** A started listener on 127.0.0.1 (or `config.interface`), port 0, closed after the test. */
export async function listen(service: Service, config: ListenerConfig = {}): Promise<Listener & { port: number }> {
  const listener = track(new Listener(0, { interface: '127.0.0.1', ...config }));
  listener.attach(service);
  await listener.start();
  return Object.assign(listener, { port: listener.address!.port });
}

/** A connected client, closed after the test. */
export async function connect(port: number, config: Partial<ClientConfig> = {}): Promise<Client> {
  return track(await Client.connect({ host: '127.0.0.1', port, ...config }));
}

/** A promise with its resolve function, for waiting on an event without sleeping. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves once `count` calls to `tick()` happened. */
export function counter(count: number): { tick: () => void; done: Promise<void>; readonly value: number } {
  const { promise, resolve } = deferred();
  let value = 0;
  return {
    tick: () => {
      value += 1;
      if (value === count) resolve();
    },
    done: promise,
    get value() {
      return value;
    },
  };
}

/** An echo service in pull style: the seed's `echoServer`. */
export const echoService: Service = {
  async onReadReady(caller) {
    const data = await caller.read();
    if (data.length > 0) await caller.write(data);
  },
};

/** Collects bytes a listener receives until the peer ends, resolving with all of them. */
export function sink(): { service: Service; received: Promise<Buffer> } {
  const { promise, resolve } = deferred<Buffer>();
  const chunks: Buffer[] = [];
  return {
    service: {
      async onReadReady(caller) {
        const data = await caller.read();
        if (data.length === 0) resolve(Buffer.concat(chunks));
        else chunks.push(data);
      },
    },
    received: promise,
  };
}
