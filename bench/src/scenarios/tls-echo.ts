/**
 * tls-echo: tcp-echo over TLS. @sock TLS Listener (`onBytes` → `void caller.write(data)`) with
 * @sock TLS Clients (`await write`, `await read(n)`; and, as a second variant, a callback service
 * whose `onBytes` writes the next request) against a raw `tls.createServer` echo with raw
 * `tls.connect` clients (callback loop). `--echo-connections` connections; every handshake is done
 * before the uncounted warm-up starts, so connection set-up is outside the measured window.
 */
import { interleave, type Scenario } from '../scenario.js';
import { echoPair, echoRows } from './tcp-echo.js';

const NAME = 'tls-echo';

export const tlsEcho: Scenario = {
  name: NAME,
  // + about a second of handshakes for the connections of each run.
  estimateSeconds: (options) => options.rounds * 3 * (options.tlsEchoSeconds + options.warmupSeconds + 2.5),
  async run(context) {
    const seconds = context.options.tlsEchoSeconds;
    const results = await interleave(context, NAME, {
      sock: () => echoPair(context, NAME, 'tls-sock-echo', 'tls-echo-sock', seconds, { server: true, client: true }),
      'sock-push': () => echoPair(context, NAME, 'tls-sock-echo', 'tls-echo-sock-push', seconds, { server: true, client: true }),
      raw: () => echoPair(context, NAME, 'tls-raw-echo', 'tls-echo-raw', seconds, { server: false, client: false }),
    });
    return echoRows(NAME, 'raw tls', results, { kind: 'ratio', op: '>=', value: 0.95 });
  },
};
