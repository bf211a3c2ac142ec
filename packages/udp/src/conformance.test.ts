import { udpConformance } from '@sock/testkit/conformance';
import { udp } from './index.js';

// The same suite the test kit's loopback network passes: proof that the two behave alike.
udpConformance('node:dgram', () => udp);
