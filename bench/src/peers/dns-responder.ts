import { GenericError } from '@sock/core';

const HEADER_BYTES = 12;
const TYPE_A = 1;
const CLASS_IN = 1;
/** Name pointer (0xc0) to offset 12, where the question's name starts. */
const NAME_POINTER = 0xc00c;
const ANSWER_BYTES = 16;
const MAX_NAME_BYTES = 255;

function malformed(what: string): GenericError {
  return new GenericError('GENERIC', `malformed DNS query: ${what}`);
}

/**
 * A minimal authoritative DNS answer to a query datagram: the query's header with QR (response),
 * AA and the query's RD echoed, RCODE 0; the question copied; for type A class IN one answer record
 * (a pointer to the question's name, TTL 60, the configured IPv4 address); any other type gets no
 * answer (NOERROR/NODATA). Additional records of the query (e.g. an EDNS OPT) are not echoed, so
 * queries of equal name length get replies of equal size.
 *
 * @example
 * ```ts
 * const dns = new DnsResponder('127.0.0.1');
 * socket.on('message', (query, peer) => socket.send(dns.answer(query), peer.port, peer.address));
 * ```
 */
export class DnsResponder {
  readonly #address: Buffer;

  constructor(address = '127.0.0.1') {
    const octets = address.split('.').map(Number);
    if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) {
      throw new GenericError('INVALID_ARGUMENT', `answer address must be an IPv4 literal, got ${JSON.stringify(address)}`);
    }
    this.#address = Buffer.from(octets);
  }

  /** The response datagram to `query`; throws a `GenericError` (code `GENERIC`) for a malformed query. */
  answer(query: Buffer): Buffer {
    if (query.length < HEADER_BYTES) throw malformed(`${query.length} bytes, shorter than a header`);
    if ((query[2]! & 0x80) !== 0) throw malformed('the QR bit is set (it is a response)');
    if ((query[2]! & 0x78) !== 0) throw malformed(`opcode ${(query[2]! >> 3) & 0x0f} is not a standard query`);
    const questions = query.readUInt16BE(4);
    if (questions !== 1) throw malformed(`${questions} questions, expected 1`);
    let offset = HEADER_BYTES;
    for (;;) {
      if (offset >= query.length) throw malformed('the question name runs past the end');
      const length = query[offset]!;
      if (length === 0) break;
      if (length > 63) throw malformed(`label length byte ${length} (compression is not allowed in a question)`);
      offset += length + 1;
      if (offset - HEADER_BYTES > MAX_NAME_BYTES) throw malformed(`the question name is longer than ${MAX_NAME_BYTES} bytes`);
    }
    const questionEnd = offset + 1 + 4;
    if (questionEnd > query.length) throw malformed('the question type and class are missing');
    const type = query.readUInt16BE(offset + 1);
    const klass = query.readUInt16BE(offset + 3);
    const answers = type === TYPE_A && klass === CLASS_IN ? 1 : 0;
    const reply = Buffer.allocUnsafe(questionEnd + answers * ANSWER_BYTES);
    query.copy(reply, 0, 0, questionEnd);
    // QR=1, opcode 0, AA=1, TC=0, RD as asked; RA=0, Z=0, RCODE=0.
    reply[2] = 0x84 | (query[2]! & 0x01);
    reply[3] = 0;
    reply.writeUInt16BE(answers, 6);
    reply.writeUInt32BE(0, 8); // NSCOUNT, ARCOUNT
    if (answers === 1) {
      let at = questionEnd;
      at = reply.writeUInt16BE(NAME_POINTER, at);
      at = reply.writeUInt16BE(TYPE_A, at);
      at = reply.writeUInt16BE(CLASS_IN, at);
      at = reply.writeUInt32BE(60, at);
      at = reply.writeUInt16BE(4, at);
      this.#address.copy(reply, at);
    }
    return reply;
  }
}

/**
 * A standard query datagram (RD set) for `name`, type A, class IN.
 *
 * @example
 * ```ts
 * socket.send(dnsQuery(0x1234, 'a.example.com'));
 * ```
 */
export function dnsQuery(id: number, name: string): Buffer {
  const labels = name.split('.').filter((label) => label !== '');
  const nameBytes = labels.reduce((sum, label) => sum + 1 + Buffer.byteLength(label), 1);
  const query = Buffer.alloc(HEADER_BYTES + nameBytes + 4);
  query.writeUInt16BE(id & 0xffff, 0);
  query[2] = 0x01; // RD
  query.writeUInt16BE(1, 4);
  let at = HEADER_BYTES;
  for (const label of labels) {
    const bytes = Buffer.from(label);
    if (bytes.length > 63) throw new GenericError('INVALID_ARGUMENT', `DNS label ${JSON.stringify(label)} is longer than 63 bytes`);
    query[at++] = bytes.length;
    at += bytes.copy(query, at);
  }
  query[at++] = 0;
  at = query.writeUInt16BE(TYPE_A, at);
  query.writeUInt16BE(CLASS_IN, at);
  return query;
}
