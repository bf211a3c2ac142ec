import { createLoopbackNetwork, type LoopbackNetwork, type LoopbackOptions } from '../index.js';
import { loopbackRawPeers, tcpConformance, tlsConformance, udpConformance } from './index.js';

// The same suite @sock/tcp runs against node:net, here against a fresh loopback network per test,
// plain and shaped (odd chunk sizes split every write; latency runs every delivery on setTimeout).
// 3-byte chunks make a delivery of every 3 bytes: 1 MiB is still 350k chunks across boundaries.
const variants: Array<[string, LoopbackOptions, number | undefined]> = [
  ['loopback', {}, undefined],
  ['loopback, 1447-byte chunks', { chunkSize: 1447 }, undefined],
  ['loopback, 3-byte chunks and 1 ms latency', { chunkSize: 3, latencyInMillis: 1 }, 1024 * 1024],
];

for (const [name, options, largeTransferBytes] of variants) {
  let network: LoopbackNetwork = createLoopbackNetwork(options);
  tcpConformance(name, () => (network = createLoopbackNetwork(options)).tcp, {
    rawPeers: () => loopbackRawPeers(network),
    teardown: () => network.close(),
    largeTransferBytes,
  });
}

let udpNetwork: LoopbackNetwork = createLoopbackNetwork();
udpConformance('loopback', () => (udpNetwork = createLoopbackNetwork()).udp, { teardown: () => udpNetwork.close() });
udpConformance('loopback, 2 ms latency', () => (udpNetwork = createLoopbackNetwork({ latencyInMillis: 2 })).udp, {
  teardown: () => udpNetwork.close(),
});

// TLS runs node:tls over the kit's pipes: whole writes, and writes split into 7-byte chunks.
let tlsNetwork: LoopbackNetwork = createLoopbackNetwork();
tlsConformance('loopback', () => (tlsNetwork = createLoopbackNetwork()).tcp, { teardown: () => tlsNetwork.close() });
tlsConformance('loopback, 7-byte chunks', () => (tlsNetwork = createLoopbackNetwork({ chunkSize: 7 })).tcp, { teardown: () => tlsNetwork.close() });
