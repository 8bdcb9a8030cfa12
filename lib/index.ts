export { ApiShieldModule } from './api-shield.module.js';
export { API_SHIELD_OPTIONS } from './constants.js';
export type * from './interfaces/api-shield-options.interface.js';
export type * from './interfaces/principal.interface.js';
export type * from './interfaces/security-event.interface.js';
export type * from './interfaces/safe-http-policy.interface.js';
export { ShieldConfigurationError } from './options/shield-configuration.error.js';

export { Public } from './auth/public.decorator.js';
export { Roles } from './auth/roles.decorator.js';
export { CurrentUser } from './auth/current-user.decorator.js';
export { ShieldAuthGuard } from './auth/shield-auth.guard.js';
export { RolesGuard } from './auth/roles.guard.js';
export { TokenService, type TokenSubject } from './auth/token.service.js';
export { RoleHierarchy } from './auth/role-hierarchy.js';
export { SecurityEventsService } from './events/security-events.service.js';

export { SensitiveFlow } from './flows/sensitive-flow.decorator.js';
export type * from './interfaces/sensitive-flow-options.interface.js';
export { SensitiveFlowGuard } from './flows/sensitive-flow.guard.js';
export { FlowStore, type FlowHit, type FlowHitResult, type FlowDecision } from './flows/flow-store.interface.js';
export { MemoryFlowStore, type MemoryFlowStoreOptions } from './flows/memory-flow.store.js';
export { RedisFlowStore, type RedisFlowStoreOptions } from './flows/redis-flow.store.js';

export { SafeHttpService } from './http/safe-http.service.js';
export { SafeHttpClient, type NarrowerHttpPolicy } from './http/safe-http-client.js';
export type { SafeRequestConfig } from './http/request-options.js';
export { SsrfBlockedException, type SsrfBlockReason } from './http/ssrf-blocked.exception.js';
export { UnsafeResponseException, type UnsafeResponseReason } from './http/unsafe-response.exception.js';

export { Authenticated } from './auth/authenticated.decorator.js';
export { RouteInventoryService } from './inventory/route-inventory.service.js';
export type { RouteEntry, FlowSummary, Finding } from './inventory/route-entry.interface.js';
export { AcknowledgeFinding } from './inventory/acknowledge-finding.decorator.js';
export { formatInventory, type InventoryFormat } from './inventory/inventory-format.js';
export { StartupAuditService } from './audit/startup-audit.service.js';
export type { AuditFinding } from './audit/audit-finding.interface.js';
