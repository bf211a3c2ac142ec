// Scenario type check, all four packages: @sock/udp, @sock/testkit and its conformance subpath.
import { udp, UdpClient, UdpListener, UdpConnectedClient, MAX_DATAGRAM_BYTES, type Datagram, type UdpService, type UdpTransport } from '@sock/udp';
import { createLoopbackNetwork, echoService, recordingService, type LoopbackNetwork } from '@sock/testkit';
import { loopbackRawPeers, tcpConformance, udpConformance, type TcpConformanceOptions } from '@sock/testkit/conformance';
import type { TcpTransport } from '@sock/tcp';

const service: UdpService = {
  async onDatagram(datagram: Datagram, caller) {
    const sent: number = await caller.reply(datagram.data);
    void sent;
  },
};

export async function udpRoundTrip(transport: UdpTransport = udp): Promise<Buffer> {
  const listener = transport.createListener(0, { interface: '127.0.0.1' });
  listener.attach(service);
  await listener.start();
  const client = transport.createUdpClient({ localAddress: { host: '127.0.0.1', port: 0 } });
  await client.sendTo('x', { host: '127.0.0.1', port: listener.address?.port ?? 0 });
  const { data } = await client.receiveFrom();
  await client.close();
  await listener.immediateStop();
  return data;
}

export const classes = [UdpClient, UdpListener, UdpConnectedClient] as const;
export const limit: number = MAX_DATAGRAM_BYTES;

export function registerSuites(): LoopbackNetwork {
  let network: LoopbackNetwork = createLoopbackNetwork({ chunkSize: 3 });
  const options: TcpConformanceOptions = { rawPeers: () => loopbackRawPeers(network), teardown: () => network.close() };
  const kitTcp: TcpTransport = network.tcp;
  void kitTcp;
  tcpConformance('kit', () => (network = createLoopbackNetwork()).tcp, options);
  udpConformance('kit', () => (network = createLoopbackNetwork()).udp);
  network.tcp.createListener(0).attach(echoService());
  network.tcp.createListener(0).attach(recordingService());
  return network;
}

// @ts-expect-error a datagram's data is a Buffer
export const badDatagram: Datagram = { data: 'x', address: { host: '127.0.0.1', port: 1 } };
