import { isMessage, type Fields, type Message } from '../protocol.js';

/**
 * The child side of the IPC channel, handed to every role: send events, await commands from the
 * parent, and answer requests (`<type>` → `<type>:reply`).
 */
export class Context {
  readonly params: Fields;
  readonly #inbox: Message[] = [];
  readonly #waiters = new Map<string, Array<(data: Fields) => void>>();
  readonly #handlers = new Map<string, (data: Fields) => Fields | Promise<Fields>>();

  constructor(params: Fields) {
    this.params = params;
    process.on('message', (raw: unknown) => {
      if (isMessage(raw)) this.#deliver(raw);
    });
  }

  send(type: string, data: Fields = {}): void {
    process.send?.({ type, data } satisfies Message);
  }

  /** Resolves with the next message of `type` from the parent. */
  next(type: string): Promise<Fields> {
    const index = this.#inbox.findIndex((message) => message.type === type);
    if (index !== -1) return Promise.resolve(this.#inbox.splice(index, 1)[0]!.data);
    return new Promise((resolve) => {
      const list = this.#waiters.get(type) ?? [];
      list.push(resolve);
      this.#waiters.set(type, list);
    });
  }

  /** Answers every `type` request with what `handler` returns. */
  handle(type: string, handler: (data: Fields) => Fields | Promise<Fields>): void {
    this.#handlers.set(type, handler);
  }

  #deliver(message: Message): void {
    const handler = this.#handlers.get(message.type);
    if (handler !== undefined) {
      Promise.resolve()
        .then(() => handler(message.data))
        .then(
          (reply) => this.send(`${message.type}:reply`, reply),
          (error: unknown) => this.send('error', { message: describe(error) }),
        );
      return;
    }
    const waiter = this.#waiters.get(message.type)?.shift();
    if (waiter !== undefined) waiter(message.data);
    else this.#inbox.push(message);
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.cause instanceof Error ? ` (cause: ${error.cause.message})` : ''}`;
  return String(error);
}

/** Microseconds on the monotonic clock. */
export function nowMicros(): number {
  return performance.now() * 1000;
}

/**
 * This process's CPU time (user + system, µs) since it was made or last restarted: what a side
 * spends per operation, whatever its share of the cores.
 */
export class CpuMeter {
  #start = process.cpuUsage();

  restart(): void {
    this.#start = process.cpuUsage();
  }

  get micros(): number {
    const cpu = process.cpuUsage(this.#start);
    return cpu.user + cpu.system;
  }
}

/**
 * Reports `ready` with `port`, then waits for `stop`; the CPU time in between (`cpu-mark` requests
 * restart the count, so that a client's warm-up stays out of it), in µs.
 */
export async function readyUntilStop(context: Context, port: number): Promise<number> {
  context.send('ready', { port });
  const cpu = new CpuMeter();
  context.handle('cpu-mark', () => (cpu.restart(), {}));
  await context.next('stop');
  return cpu.micros;
}

/** Full GC (needs --expose-gc) and a turn of the loop so finalizers run; then memory figures. */
export async function measureMemory(): Promise<Fields> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    gc: gc !== undefined,
  };
}
