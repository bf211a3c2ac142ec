export {
  createLoopbackNetwork,
  type LoopbackNetwork,
  type LoopbackOptions,
  type TcpShaping,
  type UdpFaults,
} from './loopback-network.js';
export type { LoopbackConnection } from './network.js';
export { echoService, recordingService, scriptedPeer, testCertificates } from './fixtures/index.js';
export type { RecordingService, RecordingOptions, RecordedEvent, ScriptedPeer, ScriptedPeerOptions, TestKeyPair } from './fixtures/index.js';
export { seededRandom } from './random.js';
