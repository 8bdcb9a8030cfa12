import type { ApiShieldOptions, AuditMode } from '../interfaces/api-shield-options.interface.js';
import { RoleHierarchy } from '../auth/role-hierarchy.js';
import { assertValidRoleName } from '../auth/role-names.js';
import { resolveHttpPolicy } from '../http/resolve-http-policy.js';
import { builtinAutomationDetector } from '../flows/builtin-automation-detector.js';
import { resolveJwtOptions } from './resolve-jwt-options.js';
import type { ResolvedShieldOptions } from './resolved-options.interface.js';
import { ShieldConfigurationError } from './shield-configuration.error.js';

const POLICIES = ['authenticated', 'deny', 'public'];
const MODES = ['off', 'warn', 'strict'];

function mode(value: unknown, option: string): AuditMode {
  if (value === undefined) return 'warn';
  if (!MODES.includes(value as string)) {
    throw new ShieldConfigurationError(`${option} must be one of 'off' | 'warn' | 'strict' (got ${JSON.stringify(value)})`);
  }
  return value as AuditMode;
}

/** Validates everything once, at start-up; every error names the option at fault. */
export function resolveOptions(options: ApiShieldOptions): ResolvedShieldOptions {
  if (!options || typeof options !== 'object') throw new ShieldConfigurationError('options are required');
  const authz = options.authorization ?? {};
  const defaultPolicy = authz.defaultPolicy ?? 'authenticated';
  if (!POLICIES.includes(defaultPolicy)) {
    throw new ShieldConfigurationError(`authorization.defaultPolicy must be 'authenticated' | 'deny' | 'public' (got ${JSON.stringify(defaultPolicy)})`);
  }
  const rolesClaim = authz.rolesClaim ?? 'roles';
  assertValidRoleName(rolesClaim, 'authorization.rolesClaim');

  const flows = options.flows ?? {};
  const onStoreError = flows.onStoreError ?? 'deny';
  if (onStoreError !== 'deny' && onStoreError !== 'allow') {
    throw new ShieldConfigurationError(`flows.onStoreError must be 'deny' or 'allow' (got ${JSON.stringify(onStoreError)})`);
  }
  const ipv6Subnet = flows.ipv6Subnet ?? 64;
  if (!Number.isInteger(ipv6Subnet) || ipv6Subnet < 1 || ipv6Subnet > 128) {
    throw new ShieldConfigurationError('flows.ipv6Subnet must be a whole number from 1 to 128');
  }
  const maxKeys = flows.maxKeys ?? 500_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new ShieldConfigurationError('flows.maxKeys must be a whole number >= 1');
  const rateLimitHeaders = flows.rateLimitHeaders ?? true;
  if (typeof rateLimitHeaders !== 'boolean') throw new ShieldConfigurationError('flows.rateLimitHeaders must be a boolean');
  const detector = flows.detectAutomation;
  if (detector !== undefined && detector !== 'builtin' && typeof detector !== 'function') {
    throw new ShieldConfigurationError("flows.detectAutomation must be 'builtin' or a function (ctx) => boolean");
  }
  if (options.onSecurityEvent !== undefined && typeof options.onSecurityEvent !== 'function') {
    throw new ShieldConfigurationError('onSecurityEvent must be a function');
  }

  return {
    jwt: resolveJwtOptions(options.jwt),
    defaultPolicy,
    rolesClaim,
    hierarchy: new RoleHierarchy(authz.roleHierarchy ?? {}),
    flows: {
      onStoreError,
      ipv6Subnet,
      maxKeys,
      rateLimitHeaders,
      detectAutomation: detector === 'builtin' ? builtinAutomationDetector : detector,
    },
    http: resolveHttpPolicy(options.http),
    inventoryMode: mode(options.inventory?.mode, 'inventory.mode'),
    auditMode: mode(options.audit?.mode, 'audit.mode'),
    global: options.global ?? true,
    raw: options,
  };
}
