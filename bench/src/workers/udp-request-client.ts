/**
 * The UDP request/response load generator: ONE raw node:dgram socket (the same for every server
 * variant) keeps `window` DNS queries outstanding against a DNS responder. Each slot sends its next
 * query when the previous one is answered or has had no answer for `timeoutMs` (then it counts as
 * lost). Measured inside an EchoWindow (uncounted warm-up, then `seconds`); a query sent in the
 * window and answered after it counts as neither.
 */
import { createSocket } from 'node:dgram';
import { HOST, num, type Fields } from '../protocol.js';
import { dnsQuery } from '../peers/dns-responder.js';
import { nowMicros, type Context } from './context.js';
import { EchoWindow } from './echo-window.js';

const NAMES = ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com'];
/** Expected reply size: the query (same length for every name above) plus one A record. */
const REPLY_EXTRA = 16;
export const MAX_WINDOW = 256;

export async function udpRequestClient(context: Context): Promise<Fields> {
  const { params } = context;
  const port = num(params, 'port');
  const window = Math.round(num(params, 'window'));
  const timeoutMicros = num(params, 'timeoutMs') * 1000;
  if (window < 1 || window > MAX_WINDOW) throw new Error(`window must be 1..${MAX_WINDOW}, got ${window}`);
  // DNS ids are 16 bits: the low bits name the slot, the high bits the slot's generation, so that a
  // reply that arrives after its query timed out is recognised as late and not taken for the next.
  const slotBits = Math.max(1, Math.ceil(Math.log2(window)));
  const slotMask = (1 << slotBits) - 1;
  const generationMask = (1 << (16 - slotBits)) - 1;
  const templates = Array.from({ length: window }, (_, slot) => dnsQuery(0, NAMES[slot % NAMES.length]!));
  const replyBytes = templates[0]!.length + REPLY_EXTRA;
  const generation = new Uint16Array(window);
  const sentAt = new Float64Array(window);
  const pending = new Uint8Array(window);
  const measure = new EchoWindow(params);
  const warmupEndMicros = nowMicros() + num(params, 'warmup') * 1e6;
  const endMicros = warmupEndMicros + num(params, 'seconds') * 1e6;
  let sent = 0;
  let lost = 0;
  let late = 0;
  let sendErrors = 0;
  let outstanding = 0;

  const socket = createSocket('udp4');
  socket.on('error', () => sendErrors++);
  await new Promise<void>((resolve) => socket.connect(port, HOST, resolve));

  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const send = (slot: number): void => {
    const now = nowMicros();
    if (now >= endMicros) {
      if (outstanding === 0) finish();
      return;
    }
    generation[slot] = (generation[slot]! + 1) & generationMask;
    const query = Buffer.from(templates[slot]!);
    query.writeUInt16BE((generation[slot] << slotBits) | slot, 0);
    sentAt[slot] = now;
    pending[slot] = 1;
    outstanding++;
    if (now >= warmupEndMicros) sent++;
    socket.send(query);
  };

  const settle = (slot: number): void => {
    pending[slot] = 0;
    outstanding--;
    send(slot);
  };

  socket.on('message', (reply: Buffer) => {
    if (reply.length < 2) {
      measure.errors++;
      return;
    }
    const id = reply.readUInt16BE(0);
    const slot = id & slotMask;
    if (slot >= window || pending[slot] === 0 || id >>> slotBits !== generation[slot]) {
      late++;
      return;
    }
    if (reply.length !== replyBytes) measure.errors++;
    measure.complete(sentAt[slot]!, nowMicros());
    settle(slot);
  });

  // Time-outs are checked a few times per time-out period: precise enough, and no timer per query.
  const sweep = setInterval(
    () => {
      const now = nowMicros();
      for (let slot = 0; slot < window; slot++) {
        if (pending[slot] === 0 || now - sentAt[slot]! < timeoutMicros) continue;
        if (sentAt[slot]! >= warmupEndMicros && sentAt[slot]! < endMicros) lost++;
        settle(slot);
      }
    },
    Math.max(5, timeoutMicros / 4000),
  );
  for (let slot = 0; slot < window; slot++) send(slot);
  await finished;
  clearInterval(sweep);
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return { ...measure.result(params), sent, lost, late, sendErrors, lossPercent: sent > 0 ? (lost / sent) * 100 : Number.NaN };
}
