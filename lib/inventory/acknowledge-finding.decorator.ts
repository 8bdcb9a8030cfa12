import { ACKNOWLEDGED_FINDINGS_KEY } from '../constants.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';

/**
 * Accepts an inventory finding for this route (or every route of the class), with the reason on record:
 * `@AcknowledgeFinding('PUBLIC_STATE_CHANGE', 'Stripe webhook, verified by signature')`.
 */
export function AcknowledgeFinding(code: string, reason: string): MethodDecorator & ClassDecorator {
  if (typeof code !== 'string' || !/^[A-Z_]+$/.test(code)) throw new ShieldConfigurationError('@AcknowledgeFinding: code must be a finding code such as PUBLIC_STATE_CHANGE');
  if (typeof reason !== 'string' || reason.trim().length < 3) throw new ShieldConfigurationError('@AcknowledgeFinding: a reason is required');
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = descriptor ? descriptor.value : target;
    const existing: Record<string, string> = Reflect.getOwnMetadata(ACKNOWLEDGED_FINDINGS_KEY, holder) ?? {};
    Reflect.defineMetadata(ACKNOWLEDGED_FINDINGS_KEY, { ...existing, [code]: reason }, holder);
    return descriptor as any;
  };
}
