import { createLoopbackNetwork, type LoopbackNetwork, type LoopbackOptions } from '../index.js';
import { loopbackRawPeers, tcpConformance, udpConformance } from './index.js';

// The same suite @sock/tcp runs against node:net, here against a fresh loopback network per test,
// plain and shaped (odd chunk sizes split every write; latency runs every delivery on setTimeout).
const variants: Array<[string, LoopbackOptions]> = [
  ['loopback', {}],
  ['loopback, 1447-byte chunks', { chunkSize: 1447 }],
  ['loopback, 3-byte chunks and 1 ms latency', { chunkSize: 3, latencyInMillis: 1 }],
];

for (const [name, options] of variants) {
  let network: LoopbackNetwork = createLoopbackNetwork(options);
  tcpConformance(name, () => (network = createLoopbackNetwork(options)).tcp, {
    rawPeers: () => loopbackRawPeers(network),
    teardown: () => network.close(),
  });
}

let udpNetwork: LoopbackNetwork = createLoopbackNetwork();
udpConformance('loopback', () => (udpNetwork = createLoopbackNetwork()).udp, { teardown: () => udpNetwork.close() });
udpConformance('loopback, 2 ms latency', () => (udpNetwork = createLoopbackNetwork({ latencyInMillis: 2 })).udp, {
  teardown: () => udpNetwork.close(),
});
