export type { FrameCodec, FrameDecoder, FrameDecoderOptions, EncodedFrame } from './codec.js';
export { lines, type LinesOptions } from './lines.js';
export { lengthPrefixed, type LengthPrefixedOptions, type LengthBytes } from './length-prefixed.js';
export { MAX_FRAME_BYTES_LIMIT } from './options.js';
export { framed, type Framed } from './framed.js';
export { isFrameCodec } from './is-codec.js';
