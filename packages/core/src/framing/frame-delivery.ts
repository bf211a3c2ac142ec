import { isSocketError, GenericError, type SocketError } from '../errors.js';
import { hooks, type Connection } from '../stream/connection.js';
import type { Delivery } from '../stream/delivery.js';
import type { FrameCodec, FrameDecoder } from './codec.js';

const deliveries = new WeakMap<FrameCodec, Delivery>();

function decoderOf(connection: Connection, codec: FrameCodec): FrameDecoder {
  let decoder = hooks.slot(connection) as FrameDecoder | undefined;
  if (decoder === undefined) {
    decoder = codec.decoder({ endpoint: () => hooks.peer(connection) });
    hooks.setSlot(connection, decoder);
  }
  return decoder;
}

function asSocketError(error: unknown): SocketError {
  return isSocketError(error) ? error : new GenericError('GENERIC', 'the frame decoder failed', error);
}

/**
 * Framed, `onFrame(caller, frame)` with the listener's or client's `framing` codec: each chunk goes
 * into the connection's own decoder (its one state slot), and every complete frame is handed to the
 * service in order. A frame over `maxFrameBytes` is refused before it is held whole: the frames before
 * it are still delivered, then `FRAME_TOO_LARGE` goes to `onError` and that connection closes.
 * `caller.read()` is refused. One delivery per codec, shared by every connection using it.
 *
 * @example
 * ```ts
 * const listener = new Listener(0, { framing: lines({ maxFrameBytes: 1024 }) });
 * listener.attach({ onFrame: (caller, line) => caller.write(`${line}\n`) });   // selects frameDelivery
 * ```
 */
export function frameDelivery(codec: FrameCodec): Delivery {
  let delivery = deliveries.get(codec);
  if (delivery !== undefined) return delivery;
  delivery = Object.freeze<Delivery>({
    resource: 'onFrame',
    readable: false,
    data(connection: Connection, chunk: Buffer): boolean {
      try {
        decoderOf(connection, codec).push(chunk);
      } catch {
        // The decoder failed: next() hands over the frames before the bad one, then throws.
      }
      return false;
    },
    end(connection: Connection): void {
      try {
        decoderOf(connection, codec).end();
      } catch {
        // A frame cut short: next() throws after the frames before it.
      }
    },
    next(connection: Connection): boolean {
      const decoder = hooks.slot(connection) as FrameDecoder | undefined;
      if (decoder === undefined) return false;
      let frame: Buffer | undefined;
      try {
        frame = decoder.next();
      } catch (error) {
        // Only this connection is affected: it closes, and the fault goes to onError in turn.
        hooks.fail(connection, asSocketError(error));
        return false;
      }
      if (frame === undefined) return false;
      hooks.invoke(connection, 'onFrame', frame);
      return true;
    },
    endSeen(connection: Connection): boolean {
      return ((hooks.slot(connection) as FrameDecoder | undefined)?.bufferedBytes ?? 0) === 0;
    },
    buffered(connection: Connection): number {
      return (hooks.slot(connection) as FrameDecoder | undefined)?.bufferedBytes ?? 0;
    },
  });
  deliveries.set(codec, delivery);
  return delivery;
}
