// Scenario test (vitest, installed from the registry): the installed test kit's loopback network
// and its conformance suites, as a user's project runs them; plus the UDP suite against the
// installed @sock/udp over real loopback sockets.
import { expect, it } from 'vitest';
import { createLoopbackNetwork, echoService, type LoopbackNetwork } from '@sock/testkit';
import { loopbackRawPeers, tcpConformance, udpConformance } from '@sock/testkit/conformance';
import { udp } from '@sock/udp';

it('echoes over the loopback network in 3-byte chunks', async () => {
  const network = createLoopbackNetwork({ chunkSize: 3 });
  try {
    const listener = network.tcp.createListener(0, { interface: '127.0.0.1' });
    listener.attach(echoService());
    await listener.start();
    const client = await network.tcp.connect({ host: 'localhost', port: listener.address?.port ?? 0 });
    await client.write('Hello Ballerina\n');
    expect((await client.read(16)).toString()).toBe('Hello Ballerina\n');
  } finally {
    await network.close();
  }
});

let network: LoopbackNetwork = createLoopbackNetwork();
tcpConformance('installed loopback kit', () => (network = createLoopbackNetwork()).tcp, {
  rawPeers: () => loopbackRawPeers(network),
  teardown: () => network.close(),
});

let udpNetwork: LoopbackNetwork = createLoopbackNetwork();
udpConformance('installed loopback kit', () => (udpNetwork = createLoopbackNetwork()).udp, { teardown: () => udpNetwork.close() });
udpConformance('installed @sock/udp', () => udp);
