export {
  createLoopbackNetwork,
  type LoopbackNetwork,
  type LoopbackOptions,
  type TcpShaping,
  type UdpFaults,
} from './loopback.js';
export type { LoopbackConnection } from './tcp.js';
export { echoService, recordingService, scriptedPeer } from './fixtures/index.js';
export type { RecordingService, RecordingOptions, RecordedEvent, ScriptedPeer, ScriptedPeerOptions } from './fixtures/index.js';
export { seededRandom } from './random.js';
