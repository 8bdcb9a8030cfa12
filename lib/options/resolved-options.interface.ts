import type { KeyObject } from 'node:crypto';
import type { ApiShieldOptions, AuditMode, AutomationDetector, DefaultPolicy, JwtAlgorithm } from '../interfaces/api-shield-options.interface.js';
import type { RoleHierarchy } from '../auth/role-hierarchy.js';
import type { ResolvedHttpPolicy } from '../http/resolved-http-policy.interface.js';

export interface ResolvedJwtOptions {
  verifyKey: KeyObject;
  signKey?: KeyObject;
  algorithms: JwtAlgorithm[];
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  clockToleranceSec: number;
  maxTokenLength: number;
}

export interface ResolvedShieldOptions {
  jwt: ResolvedJwtOptions;
  defaultPolicy: DefaultPolicy;
  rolesClaim: string;
  hierarchy: RoleHierarchy;
  flows: {
    onStoreError: 'deny' | 'allow';
    ipv6Subnet: number;
    detectAutomation?: AutomationDetector;
    maxKeys: number;
    rateLimitHeaders: boolean;
  };
  http: ResolvedHttpPolicy;
  inventoryMode: AuditMode;
  auditMode: AuditMode;
  global: boolean;
  /** The options as the app gave them, for the start-up audit. */
  raw: ApiShieldOptions;
}
