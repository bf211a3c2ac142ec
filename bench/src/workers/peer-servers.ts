/**
 * The small servers that real load generators drive (wrk, ab, dnsperf, redis-benchmark): an HTTP/1.1
 * keep-alive responder, a RESP (Redis) responder and a DNS responder, each on @sock and on raw
 * node:net / node:dgram. Both sides of a pair run the SAME protocol code (`answerHttp`, `answerResp`,
 * `DnsResponder`) so that the ratio compares the socket layers only. Protocol: `ready {port}`, then
 * `stop` ends the server with its counters (`answered`, `errors`, `firstError`, `faults`).
 */
import { createSocket } from 'node:dgram';
import type { Caller, SocketError } from '@sock/tcp';
import { HOST, type Fields } from '../protocol.js';
import { HttpRequestScanner } from '../peers/http-request-scanner.js';
import { httpReplies } from '../peers/http-replies.js';
import { RespParser } from '../peers/resp-parser.js';
import { RespResponder } from '../peers/resp-responder.js';
import { DnsResponder } from '../peers/dns-responder.js';
import { UdpListener } from '@sock/udp';
import { CpuMeter, describe, type Context } from './context.js';
import { serveRaw, serveSock } from './tcp-servers.js';

/** What a server counts: requests answered, protocol errors (fail the run), socket faults (routine). */
class ServerStats {
  answered = 0;
  errors = 0;
  faults = 0;
  #firstError = '';
  // The process's CPU time from the server's start: what it spends per request, whatever the
  // load generator's share of the two cores.
  readonly #cpu = new CpuMeter();

  error(error: unknown): void {
    this.errors++;
    if (this.#firstError === '') this.#firstError = describe(error);
  }

  fields(): Fields {
    return { answered: this.answered, errors: this.errors, firstError: this.#firstError, faults: this.faults, cpuMicros: this.#cpu.micros };
  }
}

/** @sock routes our own protocol errors as HANDLER_FAILED; peers that reset are routine faults. */
function sockError(stats: ServerStats, error: SocketError): void {
  if (error.code === 'HANDLER_FAILED') stats.error(error.cause ?? error);
  else stats.faults++;
}

// ---- HTTP/1.1 ---------------------------------------------------------------------------------

/** The reply to one chunk (undefined: nothing complete yet), and whether to close after it. */
function answerHttp(scanner: HttpRequestScanner, data: Buffer, stats: ServerStats): Buffer | undefined {
  const count = scanner.push(data);
  if (count === 0) return undefined;
  stats.answered += count;
  return httpReplies(count, scanner.wantsClose);
}

function scannerOf(scanners: WeakMap<Caller, HttpRequestScanner>, caller: Caller): HttpRequestScanner {
  let scanner = scanners.get(caller);
  if (scanner === undefined) {
    scanner = new HttpRequestScanner();
    scanners.set(caller, scanner);
  }
  return scanner;
}

/** Writes the reply; when the request asked to close, closes after it (close() flushes first). */
function sendHttp(caller: Caller, scanner: HttpRequestScanner, reply: Buffer): Promise<void> | undefined {
  void caller.write(reply);
  return scanner.wantsClose ? caller.close() : undefined;
}

/** @sock Listener, push style: `onBytes` scans the chunk and writes the replies. */
export function httpSockPush(context: Context): Promise<Fields> {
  const stats = new ServerStats();
  const scanners = new WeakMap<Caller, HttpRequestScanner>();
  return serveSock(
    context,
    {
      onBytes(caller, data) {
        const scanner = scannerOf(scanners, caller);
        const reply = answerHttp(scanner, data, stats);
        return reply === undefined ? undefined : sendHttp(caller, scanner, reply);
      },
      onError: (_caller, error) => sockError(stats, error),
    },
    () => stats.fields(),
  );
}

/** @sock Listener, pull style: `onReadReady` awaits `caller.read()`, scans, writes the replies. */
export function httpSockPull(context: Context): Promise<Fields> {
  const stats = new ServerStats();
  const scanners = new WeakMap<Caller, HttpRequestScanner>();
  return serveSock(
    context,
    {
      async onReadReady(caller) {
        const data = await caller.read();
        if (data.length === 0) return;
        const scanner = scannerOf(scanners, caller);
        const reply = answerHttp(scanner, data, stats);
        if (reply !== undefined) await sendHttp(caller, scanner, reply);
      },
      onError: (_caller, error) => sockError(stats, error),
    },
    () => stats.fields(),
  );
}

/** Raw net.Server: 'data' scans and writes; a closing request ends the socket with its reply. */
export function httpRaw(context: Context): Promise<Fields> {
  const stats = new ServerStats();
  return serveRaw(
    context,
    (socket) => {
      const scanner = new HttpRequestScanner();
      socket.on('error', () => stats.faults++);
      socket.on('data', (data: Buffer) => {
        let reply: Buffer | undefined;
        try {
          reply = answerHttp(scanner, data, stats);
        } catch (error) {
          stats.error(error);
          socket.destroy();
          return;
        }
        if (reply === undefined) return;
        if (scanner.wantsClose) socket.end(reply);
        else socket.write(reply);
      });
    },
    () => stats.fields(),
  );
}

// ---- RESP (Redis) -----------------------------------------------------------------------------

/** The replies to the commands a chunk completes, as one buffer (one write per chunk). */
function answerResp(parser: RespParser, redis: RespResponder, data: Buffer, stats: ServerStats): Buffer | undefined {
  const commands = parser.push(data);
  if (commands.length === 0) return undefined;
  stats.answered += commands.length;
  const out: Buffer[] = [];
  for (const args of commands) redis.answer(args, out);
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

/** @sock Listener, push style; one store shared by every connection, as in a real server. */
export function respSock(context: Context): Promise<Fields> {
  const stats = new ServerStats();
  const redis = new RespResponder();
  const parsers = new WeakMap<Caller, RespParser>();
  return serveSock(
    context,
    {
      onBytes(caller, data) {
        let parser = parsers.get(caller);
        if (parser === undefined) {
          parser = new RespParser();
          parsers.set(caller, parser);
        }
        const reply = answerResp(parser, redis, data, stats);
        if (reply !== undefined) void caller.write(reply);
      },
      onError: (_caller, error) => sockError(stats, error),
    },
    () => stats.fields(),
  );
}

/** Raw net.Server doing the same. */
export function respRaw(context: Context): Promise<Fields> {
  const stats = new ServerStats();
  const redis = new RespResponder();
  return serveRaw(
    context,
    (socket) => {
      const parser = new RespParser();
      socket.on('error', () => stats.faults++);
      socket.on('data', (data: Buffer) => {
        let reply: Buffer | undefined;
        try {
          reply = answerResp(parser, redis, data, stats);
        } catch (error) {
          stats.error(error);
          socket.destroy();
          return;
        }
        if (reply !== undefined) socket.write(reply);
      });
    },
    () => stats.fields(),
  );
}

// ---- DNS over UDP -----------------------------------------------------------------------------

async function serveUdp(context: Context, port: number, stats: ServerStats, close: () => Promise<void>): Promise<Fields> {
  context.send('ready', { port });
  await context.next('stop');
  await close();
  return stats.fields();
}

/** @sock UdpListener: `onDatagram` answers with `caller.reply`. */
export async function dnsSock(context: Context): Promise<Fields> {
  const stats = new ServerStats();
  const dns = new DnsResponder();
  const listener = new UdpListener(0, { interface: HOST });
  listener.attach({
    onDatagram(datagram, caller) {
      const reply = dns.answer(datagram.data);
      stats.answered++;
      void caller.reply(reply);
    },
    onError: (_caller, error) => sockError(stats, error),
  });
  await listener.start();
  return serveUdp(context, listener.address!.port, stats, () => listener.immediateStop());
}

/** Raw dgram socket: 'message' answers with `send` to the sender. */
export async function dnsRaw(context: Context): Promise<Fields> {
  const stats = new ServerStats();
  const dns = new DnsResponder();
  const socket = createSocket('udp4');
  socket.on('error', () => stats.faults++);
  socket.on('message', (query, peer) => {
    let reply: Buffer;
    try {
      reply = dns.answer(query);
    } catch (error) {
      stats.error(error);
      return;
    }
    stats.answered++;
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  return serveUdp(context, socket.address().port, stats, () => new Promise<void>((resolve) => socket.close(() => resolve())));
}
