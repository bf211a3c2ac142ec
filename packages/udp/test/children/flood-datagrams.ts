/**
 * Bytes of the sequence number at the start of every flood datagram.
 *
 * @example
 * ```ts
 * datagram.readUInt32BE(0); // the sequence number, SEQUENCE_BYTES long
 * ```
 */
export const SEQUENCE_BYTES = 4;
const POOL = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24));
const MARKER = 0xffffffff;

/**
 * Flood datagram `sequence`: the number, then `size` bytes cut from a fixed pool at a place that
 * depends on it, so the receiver can check every byte without being told what was sent.
 *
 * @example
 * ```ts
 * await sender.sendTo(floodDatagram(7, 1024), address);
 * ```
 */
export function floodDatagram(sequence: number, size: number): Buffer {
  const datagram = Buffer.allocUnsafe(SEQUENCE_BYTES + size);
  datagram.writeUInt32BE(sequence, 0);
  const offset = sequence % (POOL.length - size);
  POOL.copy(datagram, SEQUENCE_BYTES, offset, offset + size);
  return datagram;
}

/**
 * The datagram that tells the receiver the flood is over.
 *
 * @example
 * ```ts
 * await sender.sendTo(marker(), receiver);
 * ```
 */
export function marker(): Buffer {
  const datagram = Buffer.alloc(SEQUENCE_BYTES + 6);
  datagram.writeUInt32BE(MARKER, 0);
  datagram.write('marker', SEQUENCE_BYTES);
  return datagram;
}

/**
 * True for the datagram {@link marker} makes.
 *
 * @example
 * ```ts
 * if (isMarker(data)) break;
 * ```
 */
export function isMarker(data: Buffer): boolean {
  return data.length === SEQUENCE_BYTES + 6 && data.readUInt32BE(0) === MARKER;
}
