/** The seed's UdpClient example; filled in once @sock/udp lands. */
export async function udpDemo(log: (line: string) => void): Promise<void> {
  log('(UDP demo pending)');
}
