import { createSimulation, type Simulation } from './index.js';
import { loopbackRawPeers, tcpConformance, tlsConformance, udpConformance } from './conformance/index.js';
import { networkOf } from './simulation.js';

// A simulated host's transports pass the suites the real ones pass (TCP, UDP, and TLS over the pipes). The suites wait on real time
// in places (settled(), time-outs of 50-200 ms), so they run outside sim.run, with the real clock:
// with the default latency of 0 every delivery is a microtask, and nothing waits on a virtual
// timer. Each test gets a fresh simulation; the suites talk to 127.0.0.1 on one host, and the
// raw peers reset connections through the simulation's topology.
let sim: Simulation = createSimulation({ seed: 1 });

tcpConformance('simulated host', () => (sim = createSimulation({ seed: 1 })).host('a').tcp, {
  rawPeers: () => loopbackRawPeers({ tcp: sim.host('a').tcp, reset: (target) => networkOf(sim)!.reset(target) }),
  teardown: () => sim.close(),
});

udpConformance('simulated host', () => (sim = createSimulation({ seed: 1 })).host('a').udp, { teardown: () => sim.close() });

tlsConformance('simulated host', () => (sim = createSimulation({ seed: 1 })).host('a').tcp, { teardown: () => sim.close() });
