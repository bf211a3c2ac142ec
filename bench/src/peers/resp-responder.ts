const PONG = Buffer.from('+PONG\r\n', 'latin1');
const OK = Buffer.from('+OK\r\n', 'latin1');
const NULL_BULK = Buffer.from('$-1\r\n', 'latin1');
const EMPTY_ARRAY = Buffer.from('*0\r\n', 'latin1');

/** What `CONFIG GET` answers for the parameters redis-benchmark asks for before it starts. */
const CONFIG: Record<string, string> = { save: '', appendonly: 'no' };

function bulk(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1')]);
}

function error(message: string): Buffer {
  return Buffer.from(`-ERR ${message.replace(/[\r\n]/g, ' ')}\r\n`, 'utf8');
}

function upper(arg: Buffer | undefined): string {
  return arg === undefined ? '' : arg.toString('latin1').toUpperCase();
}

/**
 * A tiny in-memory Redis: answers `PING`, `SET`, `GET` and `CONFIG GET` (what redis-benchmark
 * `-t ping,set,get` sends), and an `-ERR` reply to anything else, as a real server would. A GET
 * reply is built once per SET, so answering GET costs no allocation.
 *
 * @example
 * ```ts
 * const redis = new RespResponder();
 * const out: Buffer[] = [];
 * for (const args of parser.push(chunk)) redis.answer(args, out);
 * socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
 * ```
 */
export class RespResponder {
  /** Key (latin1) to the whole GET reply for its value. */
  readonly #replies = new Map<string, Buffer>();

  /** Appends the reply to one command (its arguments, as RespParser gives them) to `out`. */
  answer(args: readonly Buffer[], out: Buffer[]): void {
    const name = upper(args[0]);
    switch (name) {
      case 'PING':
        out.push(args.length > 1 ? bulk(args[1]!) : PONG);
        return;
      case 'SET':
        if (args.length < 3) break;
        // The arguments are views into the input chunk: the reply built here is a copy.
        this.#replies.set(args[1]!.toString('latin1'), bulk(args[2]!));
        out.push(OK);
        return;
      case 'GET':
        if (args.length !== 2) break;
        out.push(this.#replies.get(args[1]!.toString('latin1')) ?? NULL_BULK);
        return;
      case 'CONFIG': {
        if (upper(args[1]) !== 'GET' || args.length !== 3) break;
        const parameter = args[2]!.toString('latin1').toLowerCase();
        const value = CONFIG[parameter];
        out.push(value === undefined ? EMPTY_ARRAY : Buffer.concat([Buffer.from('*2\r\n', 'latin1'), bulk(parameter), bulk(value)]));
        return;
      }
      default:
        out.push(error(`unknown command '${name.slice(0, 64)}'`));
        return;
    }
    out.push(error(`wrong number of arguments for '${name.toLowerCase()}' command`));
  }
}
