import type { FrameCodec } from '../framing/codec.js';
import { frameDelivery } from '../framing/frame-delivery.js';
import type { Delivery, DeliveryEntry } from './delivery.js';
import { ownerDelivery } from './owner-delivery.js';
import { pullDelivery } from './pull-delivery.js';
import { pushDelivery } from './push-delivery.js';

/**
 * The registered deliveries, by the service resource that selects each. The one place a new
 * delivery mode is added.
 *
 * @example
 * ```ts
 * DELIVERIES.map((entry) => entry.resource); // ['onBytes', 'onReadReady', 'onFrame']
 * ```
 */
export const DELIVERIES: readonly DeliveryEntry[] = Object.freeze([
  { resource: 'onBytes', make: () => pushDelivery },
  { resource: 'onReadReady', make: () => pullDelivery },
  { resource: 'onFrame', make: (framing) => frameDelivery(framing as FrameCodec) },
]);

/**
 * The delivery for a (validated) service: the registered one whose resource it defines, or
 * the owner-reads delivery when it defines none (or there is no service).
 *
 * @example
 * ```ts
 * chooseDelivery({ onReadReady() {} }, undefined).resource; // 'onReadReady'
 * ```
 */
export function chooseDelivery(service: object | undefined, framing: unknown): Delivery {
  if (service !== undefined) {
    for (const entry of DELIVERIES) {
      if (typeof (service as Record<string, unknown>)[entry.resource] === 'function') return entry.make(framing);
    }
  }
  return ownerDelivery;
}
