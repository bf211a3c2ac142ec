import { invalidArgument } from '../errors.js';
import { proxyAcceptStep } from '../proxy/proxy-step.js';
import type { ProxyProtocolVersion } from '../proxy/proxy-parser.js';
import type { ResolvedListenerSecureSocket } from '../tls/secure-socket.js';
import type { TransportFeatures } from '../tls/tls-module.js';
import { tlsAcceptStep } from '../tls/tls-step.js';
import type { AcceptStep } from './accept-step.js';

/**
 * What a listener's config may ask of the accept stage. Each option present adds its step.
 *
 * @example
 * ```ts
 * const steps = acceptStepsFor({ proxyProtocol: 'v2', proxyHeaderTimeoutInMillis: 3000 }, features);
 * ```
 */
export interface AcceptStepOptions {
  readonly proxyProtocol?: ProxyProtocolVersion | undefined;
  readonly trustedProxies?: ((address: string) => boolean) | undefined;
  readonly proxyHeaderTimeoutInMillis?: number | undefined;
  readonly secureSocket?: ResolvedListenerSecureSocket | undefined;
}

/**
 * The registered accept steps, in the order they run on every accepted connection (a PROXY header
 * comes before the TLS ClientHello). The one place a new accept step is added.
 *
 * @example
 * ```ts
 * ACCEPT_STEPS.map((entry) => entry.option); // ['proxyProtocol', 'secureSocket']
 * ```
 */
export const ACCEPT_STEPS: ReadonlyArray<{
  readonly option: keyof AcceptStepOptions;
  make(config: AcceptStepOptions, features: TransportFeatures): AcceptStep | undefined;
}> = Object.freeze([
  {
    option: 'proxyProtocol' as const,
    make(config: AcceptStepOptions): AcceptStep | undefined {
      if (config.proxyProtocol === undefined) return undefined;
      return proxyAcceptStep({ version: config.proxyProtocol, trusted: config.trustedProxies, timeoutInMillis: config.proxyHeaderTimeoutInMillis });
    },
  },
  {
    option: 'secureSocket' as const,
    make(config: AcceptStepOptions, features: TransportFeatures): AcceptStep | undefined {
      if (config.secureSocket === undefined) return undefined;
      if (features.tls === undefined) throw invalidArgument('this transport has no TLS: secureSocket is not available');
      return tlsAcceptStep(features.tls, config.secureSocket);
    },
  },
]);

/**
 * The steps a listener with `config` runs between accept and `onConnect`, built once (contexts and
 * parsers are made here, so bad options fail at construction).
 *
 * @example
 * ```ts
 * super(acceptor, resolved, acceptStepsFor(resolved, { tls }));
 * ```
 */
export function acceptStepsFor(config: AcceptStepOptions, features: TransportFeatures): AcceptStep[] {
  const steps: AcceptStep[] = [];
  for (const entry of ACCEPT_STEPS) {
    const step = entry.make(config, features);
    if (step !== undefined) steps.push(step);
  }
  return steps;
}
