import { SENSITIVE_FLOWS_KEY } from '../constants.js';
import type { SensitiveFlowOptions } from '../interfaces/sensitive-flow-options.interface.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';
import { parseScopePath } from './flow-scope.js';

function validate(options: SensitiveFlowOptions): void {
  const fail = (what: string) => { throw new ShieldConfigurationError(`@SensitiveFlow: ${what}`); };
  if (!options || typeof options !== 'object') fail('options are required');
  if (!Number.isInteger(options.limit) || options.limit < 1) fail('limit must be a whole number >= 1');
  if (!Number.isInteger(options.windowMs) || options.windowMs < 1) fail('windowMs must be a whole number of milliseconds >= 1');
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) fail('name must be a non-empty string');
  const by = options.by ?? 'user';
  if (typeof by !== 'function' && !['user', 'ip', 'user-or-ip'].includes(by)) fail("by must be 'user' | 'ip' | 'user-or-ip' | (ctx) => string");
  if (typeof options.scope === 'string') parseScopePath(options.scope);
  else if (options.scope !== undefined && typeof options.scope !== 'function') fail('scope must be a request path or a function');
  if (options.count !== undefined && options.count !== 'attempt' && options.count !== 'success') fail("count must be 'attempt' or 'success'");
  if (options.automation !== undefined && options.automation !== 'allow' && options.automation !== 'block') fail("automation must be 'allow' or 'block'");
}

/**
 * API6: a business-flow limit. Stackable; every flow on a handler (and its class) must have room, and a
 * request refused by one takes no slot from any.
 */
export function SensitiveFlow(options: SensitiveFlowOptions): MethodDecorator & ClassDecorator {
  validate(options);
  const flow = Object.freeze({ ...options });
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = descriptor ? descriptor.value : target;
    const own: SensitiveFlowOptions[] = Reflect.hasOwnMetadata(SENSITIVE_FLOWS_KEY, holder)
      ? Reflect.getOwnMetadata(SENSITIVE_FLOWS_KEY, holder)
      : [];
    // Decorators apply bottom-up; unshift keeps the order they are written in.
    Reflect.defineMetadata(SENSITIVE_FLOWS_KEY, [flow, ...own], holder);
    return descriptor as any;
  };
}
