import type { Caller } from '@sock/core';
import type { LoopbackNetwork } from '../loopback-network.js';
import type { RawPeer, RawPeers, RawServer } from './helpers.js';

function peerOf(network: Pick<LoopbackNetwork, 'reset'>, caller: Caller): RawPeer {
  return {
    write: async (data) => void (await caller.write(data)),
    reset: () => void network.reset(caller),
  };
}

/**
 * {@link RawPeers} on a loopback network, for running the conformance suites against it: the
 * "outside" peer is one more loopback connection, reset with `network.reset()`. Anything with the
 * network's `tcp` and `reset` will do.
 *
 * @example
 * ```ts
 * let network = createLoopbackNetwork();
 * tcpConformance('loopback', () => (network = createLoopbackNetwork()).tcp, {
 *   rawPeers: () => loopbackRawPeers(network),
 *   teardown: () => network.close(),
 * });
 * ```
 */
export function loopbackRawPeers(network: Pick<LoopbackNetwork, 'tcp' | 'reset'>): RawPeers {
  return {
    async connect(address) {
      const client = await network.tcp.connect({ host: address.host, port: address.port });
      return peerOf(network, client);
    },
    async listen(): Promise<RawServer> {
      const waiting: Caller[] = [];
      const takers: Array<(caller: Caller) => void> = [];
      const listener = network.tcp.createListener(0, { interface: '127.0.0.1' });
      listener.attach({
        onConnect(caller) {
          const taker = takers.shift();
          if (taker === undefined) waiting.push(caller);
          else taker(caller);
        },
        onError() {}, // the raw side's own view of the reset is not under test
      });
      await listener.start();
      return {
        address: listener.address!,
        accepted: async () => peerOf(network, waiting.shift() ?? (await new Promise<Caller>((resolve) => takers.push(resolve)))),
        close: () => listener.immediateStop(),
      };
    },
  };
}
