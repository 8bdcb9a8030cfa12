import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit, type Provider } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { API_SHIELD_OPTIONS, API_SHIELD_RAW_OPTIONS, FLOW_STORE, INVENTORY_TOKEN } from './constants.js';
import { RouteDeclarationsValidator } from './audit/route-declarations.validator.js';
import { FlowPolicyResolver } from './flows/flow-policy.resolver.js';
import { createFlowStore } from './flows/flow-store.factory.js';
import type { FlowStore } from './flows/flow-store.interface.js';
import { SensitiveFlowGuard } from './flows/sensitive-flow.guard.js';
import { RouteScanner } from './inventory/route-scanner.js';
import { SafeHttpService } from './http/safe-http.service.js';
import { RouteInventoryService } from './inventory/route-inventory.service.js';
import { InventoryReportService } from './inventory/inventory-report.service.js';
import { StartupAuditService } from './audit/startup-audit.service.js';
import { RolesGuard } from './auth/roles.guard.js';
import { RoutePolicyResolver } from './auth/route-policy.resolver.js';
import { ShieldAuthGuard } from './auth/shield-auth.guard.js';
import { TokenService } from './auth/token.service.js';
import { SecurityEventsService } from './events/security-events.service.js';
import type {
  ApiShieldAsyncOptions, ApiShieldOptions, ApiShieldOptionsFactory,
} from './interfaces/api-shield-options.interface.js';
import { resolveOptions } from './options/resolve-options.js';

const SERVICES: Provider[] = [
  SecurityEventsService, RoutePolicyResolver, TokenService, ShieldAuthGuard, RolesGuard,
  FlowPolicyResolver, SensitiveFlowGuard, RouteScanner, RouteDeclarationsValidator,
  SafeHttpService, RouteInventoryService, InventoryReportService, StartupAuditService,
  { provide: INVENTORY_TOKEN, useExisting: RouteInventoryService },
  {
    provide: FLOW_STORE,
    useFactory: (raw: { flows?: Parameters<typeof createFlowStore>[0] }) => createFlowStore(raw.flows),
    inject: [API_SHIELD_RAW_OPTIONS],
  },
];

const EXPORTS = [
  API_SHIELD_OPTIONS, FLOW_STORE, SecurityEventsService, RoutePolicyResolver, TokenService,
  ShieldAuthGuard, RolesGuard, FlowPolicyResolver, SensitiveFlowGuard, SafeHttpService,
  RouteInventoryService, StartupAuditService, INVENTORY_TOKEN,
];

/** Guards run in this order: authentication -> roles -> business flows. */
const GLOBAL_GUARDS: Provider[] = [
  { provide: APP_GUARD, useExisting: ShieldAuthGuard },
  { provide: APP_GUARD, useExisting: RolesGuard },
  { provide: APP_GUARD, useExisting: SensitiveFlowGuard },
];

@Global()
@Module({})
export class ApiShieldModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(FLOW_STORE) private readonly store: FlowStore) {}

  async onModuleInit(): Promise<void> {
    await this.store.init?.();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }

  static forRoot(options: ApiShieldOptions): DynamicModule {
    return this.build([{ provide: API_SHIELD_RAW_OPTIONS, useValue: options }], options?.global ?? true);
  }

  static forRootAsync(options: ApiShieldAsyncOptions): DynamicModule {
    return this.build(this.asyncOptionProviders(options), options.global ?? true, options.imports);
  }

  private static build(optionProviders: Provider[], global: boolean, imports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: ApiShieldModule,
      imports: [DiscoveryModule, ...imports],
      providers: [
        ...optionProviders,
        {
          provide: API_SHIELD_OPTIONS,
          useFactory: (raw: ApiShieldOptions) => resolveOptions({ ...raw, global }),
          inject: [API_SHIELD_RAW_OPTIONS],
        },
        ...SERVICES,
        ...(global ? GLOBAL_GUARDS : []),
      ],
      exports: EXPORTS,
    };
  }

  private static asyncOptionProviders(options: ApiShieldAsyncOptions): Provider[] {
    if (options.useFactory) {
      return [{ provide: API_SHIELD_RAW_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
    }
    const factoryClass = options.useClass ?? options.useExisting;
    if (!factoryClass) throw new Error('nestjs-api-shield: forRootAsync needs useFactory, useClass or useExisting');
    const fromFactory: Provider = {
      provide: API_SHIELD_RAW_OPTIONS,
      useFactory: (factory: ApiShieldOptionsFactory) => factory.createApiShieldOptions(),
      inject: [factoryClass],
    };
    return options.useClass ? [options.useClass, fromFactory] : [fromFactory];
  }
}
