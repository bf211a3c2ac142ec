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
export { createSimulation, type Simulation, type SimulationOptions, type SimHost, type RunOptions } from './simulation.js';
export { SimulationError, type SimulationErrorCode } from './simulation-error.js';
export type { SimEvent } from './trace.js';
export type { ChaosOptions, ChaosFaults } from './chaos.js';
export type { LinkSettings, LatencyRange } from './shaping.js';
