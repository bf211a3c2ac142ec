// Reflected Castagnoli polynomial (iSCSI, SCTP, PROXY v2): 0x1EDC6F41 bit-reversed.
const POLYNOMIAL = 0x82f63b78;

// 1 KiB, built once on first use so that importing @sock/core costs nothing when PROXY is off.
let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table !== undefined) return table;
  const built = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    built[n] = c >>> 0;
  }
  table = built;
  return built;
}

/**
 * CRC-32C (Castagnoli, RFC 4960 appendix B) of `bytes[start, end)`. Pass the previous result as
 * `crc` to continue over a message given in pieces: `crc32c(b, 0, b.length, crc32c(a))` equals the
 * CRC of `a` followed by `b`.
 *
 * @example
 * ```ts
 * crc32c(Buffer.from('123456789')); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  const t = crcTable();
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = (t[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}
