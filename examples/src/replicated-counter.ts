/**
 * A replicated counter on @sock: a primary acknowledges increments, a backup keeps a copy that
 * survives the primary. Written against `TcpTransport`, so the same code runs on real TCP
 * (`@sock/tcp`'s `tcp`) and on a simulated host (`sim.host(name).tcp`).
 *
 * Protocol, one line per message (`lines()` framing):
 * - client → primary `INC` → `OK <n>` (the counter after this increment, once it is safe) or `ERR`;
 * - anyone → a replica `GET` → `VALUE <n>`;
 * - primary → backup `SET <n>` → `ACK <n>` (the backup keeps the highest value it was sent).
 *
 * The rule that makes it safe: acknowledge an increment only once the backup has it. The planted
 * bug (`acknowledge: 'before-backup'`) answers the client first and replicates after — fine until
 * the primary crashes with a `SET` still in flight: then an acknowledged increment is lost, and the
 * counter hands out the same number twice. A seeded chaos test finds it (replicated-counter.test.ts).
 */
import { framed, lines, type Caller, type Client, type Framed, type Listener, type TcpTransport } from '@sock/core';

const codec = lines({ maxFrameBytes: 64 });

/** When the primary answers `OK`: after the backup acknowledged (correct), or before (the planted bug). */
export type Acknowledge = 'after-backup' | 'before-backup';

/** Where a replica listens. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Options of {@link startPrimary}. */
export interface PrimaryOptions {
  /** The port clients connect to. */
  readonly port: number;
  /** The backup's listener. */
  readonly backup: Endpoint;
  /** Default `'after-backup'`. */
  readonly acknowledge?: Acknowledge;
  /** How long one replication (connect, `SET`, `ACK`) may take before the increment is answered `ERR`. Default 500. */
  readonly replicationTimeoutInMillis?: number;
}

/** A running replica: its value and its listener. */
export interface Replica {
  readonly value: number;
  readonly listener: Listener;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function parse(frame: Buffer | undefined, verb: string): number | undefined {
  const text = frame?.toString() ?? '';
  if (!text.startsWith(`${verb} `)) return undefined;
  const value = Number(text.slice(verb.length + 1));
  return Number.isSafeInteger(value) ? value : undefined;
}

// Serves one connection: each line is a request, answered by `answer` in order.
async function serveLines(caller: Caller, answer: (request: string) => Promise<string> | string): Promise<void> {
  const rpc = framed(caller, codec);
  try {
    for (;;) {
      const frame = await rpc.readFrame();
      if (frame === undefined) return;
      await rpc.writeFrame(await answer(frame.toString()));
    }
  } catch {
    // The peer went away (reset, closed, crashed): this connection is done.
  } finally {
    await caller.close();
  }
}

/**
 * Starts the backup: it keeps the highest value a `SET` brought (a late `SET` never moves it back)
 * and answers `GET`.
 *
 * @example
 * ```ts
 * const backup = await startBackup(tcp, 7001);
 * ```
 */
export async function startBackup(transport: TcpTransport, port: number): Promise<Replica> {
  let value = 0;
  const listener = transport.createListener(port);
  listener.attach({
    onConnect: (caller) =>
      serveLines(caller, (request) => {
        const set = parse(Buffer.from(request), 'SET');
        if (set !== undefined) {
          value = Math.max(value, set);
          return `ACK ${set}`;
        }
        return request === 'GET' ? `VALUE ${value}` : 'ERR';
      }),
  });
  await listener.start();
  return {
    get value() {
      return value;
    },
    listener,
    stop: () => listener.immediateStop(),
  };
}

/**
 * The primary's link to the backup: one connection, one request at a time, replaced after any
 * failure (a late `ACK` on an old connection can then never be mistaken for a new one's).
 */
class Replication {
  readonly #transport: TcpTransport;
  readonly #backup: Endpoint;
  readonly #timeout: number;
  #connection: { client: Client; rpc: Framed } | undefined;
  #turn: Promise<unknown> = Promise.resolve();

  constructor(transport: TcpTransport, backup: Endpoint, timeoutInMillis: number) {
    this.#transport = transport;
    this.#backup = backup;
    this.#timeout = timeoutInMillis;
  }

  /** Sends `request` and resolves with the backup's answer, or undefined if it failed in time. */
  ask(request: string): Promise<Buffer | undefined> {
    const answer = this.#turn.then(() => this.#ask(request));
    this.#turn = answer;
    return answer;
  }

  close(): void {
    void this.#connection?.client.close();
    this.#connection = undefined;
  }

  async #ask(request: string): Promise<Buffer | undefined> {
    try {
      if (this.#connection === undefined) {
        const client = await this.#transport.connect({ ...this.#backup, connectTimeoutInMillis: this.#timeout });
        this.#connection = { client, rpc: framed(client, codec) };
      }
      const { rpc } = this.#connection;
      await rpc.writeFrame(request);
      return await rpc.readFrame({ timeoutInMillis: this.#timeout });
    } catch {
      this.close();
      return undefined;
    }
  }
}

/**
 * Starts the primary: it first learns the counter from the backup (a restarted primary remembers
 * nothing), then serves `INC` and `GET`.
 *
 * @example
 * ```ts
 * const primary = await startPrimary(tcp, { port: 7000, backup: { host: '127.0.0.1', port: 7001 } });
 * ```
 */
export async function startPrimary(transport: TcpTransport, options: PrimaryOptions): Promise<Replica> {
  const acknowledge = options.acknowledge ?? 'after-backup';
  const replication = new Replication(transport, options.backup, options.replicationTimeoutInMillis ?? 500);
  let value: number | undefined;
  for (let attempt = 0; value === undefined; attempt++) {
    if (attempt === 100) throw new Error(`the backup at ${options.backup.host}:${options.backup.port} never answered`);
    value = parse(await replication.ask('GET'), 'VALUE');
    if (value === undefined) await sleep(100);
  }
  let counter = value;
  const increment = async (): Promise<string> => {
    counter += 1;
    const n = counter;
    const replicated = replication.ask(`SET ${n}`).then((answer) => parse(answer, 'ACK') === n);
    if (acknowledge === 'before-backup') return `OK ${n}`; // BUG: the backup may never get n
    return (await replicated) ? `OK ${n}` : 'ERR';
  };
  const listener = transport.createListener(options.port);
  listener.attach({
    onConnect: (caller) => serveLines(caller, (request) => (request === 'INC' ? increment() : request === 'GET' ? `VALUE ${counter}` : 'ERR')),
  });
  await listener.start();
  return {
    get value() {
      return counter;
    },
    listener,
    stop: async () => {
      replication.close();
      await listener.immediateStop();
    },
  };
}

/**
 * A client of the counter: `increment()` resolves with the acknowledged value, or undefined when
 * the increment was not acknowledged (an `ERR`, a time-out, a lost connection — then it reconnects
 * on the next call).
 *
 * @example
 * ```ts
 * const counter = new CounterClient(tcp, { host: '127.0.0.1', port: 7000 });
 * await counter.increment(); // 1
 * ```
 */
export class CounterClient {
  readonly #transport: TcpTransport;
  readonly #primary: Endpoint;
  readonly #timeout: number;
  #connection: { client: Client; rpc: Framed } | undefined;

  constructor(transport: TcpTransport, primary: Endpoint, timeoutInMillis = 1000) {
    this.#transport = transport;
    this.#primary = primary;
    this.#timeout = timeoutInMillis;
  }

  async increment(): Promise<number | undefined> {
    try {
      if (this.#connection === undefined) {
        const client = await this.#transport.connect({ ...this.#primary, connectTimeoutInMillis: this.#timeout });
        this.#connection = { client, rpc: framed(client, codec) };
      }
      const { rpc } = this.#connection;
      await rpc.writeFrame('INC');
      const answer = await rpc.readFrame({ timeoutInMillis: this.#timeout });
      if (answer === undefined) throw new Error('the primary closed the connection');
      return parse(answer, 'OK');
    } catch {
      this.close();
      await sleep(50);
      return undefined;
    }
  }

  close(): void {
    void this.#connection?.client.close();
    this.#connection = undefined;
  }
}

/**
 * Reads a replica's value (`GET`).
 *
 * @example
 * ```ts
 * await readValue(tcp, { host: '127.0.0.1', port: 7001 }); // 42
 * ```
 */
export async function readValue(transport: TcpTransport, replica: Endpoint): Promise<number> {
  const client = await transport.connect({ ...replica, connectTimeoutInMillis: 1000 });
  try {
    const rpc = framed(client, codec);
    await rpc.writeFrame('GET');
    const value = parse(await rpc.readFrame({ timeoutInMillis: 1000 }), 'VALUE');
    if (value === undefined) throw new Error(`${replica.host}:${replica.port} did not answer GET`);
    return value;
  } finally {
    await client.close();
  }
}
