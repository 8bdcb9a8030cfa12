import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { API_SHIELD_OPTIONS } from '../constants.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';
import { exportingInventory } from '../inventory/inventory-report.service.js';
import type { AuditFinding } from './audit-finding.interface.js';
import { probeCors } from './cors-probe.js';

const PLACEHOLDER_SECRETS = /^(secret|changeme|change-me|change_me|your[-_ ]?secret.*|jwt[-_ ]?secret|mysecret|my[-_]secret|supersecret|super[-_]secret|default|password|keyboard cat|shhhhh+|test|dev|development|xxx+|s3cr3t|secretkey|secret[-_]?key|please[-_]change[-_]me)$/i;

/** API8: start-up checks for misconfiguration, each with a code, the reason and the fix. */
@Injectable()
export class StartupAuditService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiShieldAudit');

  constructor(@Inject(API_SHIELD_OPTIONS) private readonly options: ResolvedShieldOptions, private readonly adapterHost: HttpAdapterHost) {}

  async onApplicationBootstrap(): Promise<void> {
    const mode = this.options.auditMode;
    if (mode === 'off' || exportingInventory()) return;
    const findings = await this.run();
    if (findings.length === 0) return;
    const text = findings.map((f) => `${f.code}: ${f.reason}. Fix: ${f.fix}`).join('\n');
    if (mode === 'strict') throw new ShieldConfigurationError(`audit (strict): ${findings.length} misconfiguration(s):\n${text}`);
    this.logger.warn(`${findings.length} misconfiguration(s):\n${text}`);
  }

  async run(): Promise<AuditFinding[]> {
    const findings: AuditFinding[] = [];
    const { raw, http } = this.options;
    const production = process.env.NODE_ENV === 'production';
    const secret = raw.jwt?.secret;
    if (typeof secret === 'string' && (Buffer.byteLength(secret) < 32 || PLACEHOLDER_SECRETS.test(secret))) {
      findings.push({ code: 'JWT_WEAK_SECRET', reason: 'jwt.secret is shorter than 32 bytes or a well-known placeholder', fix: "use 32+ random bytes, e.g. `node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\"`" });
    }
    if (raw.jwt?.expiresIn === undefined) {
      findings.push({ code: 'JWT_NO_EXPIRY', reason: 'jwt.expiresIn is not set (issued tokens default to 15 minutes)', fix: "set jwt.expiresIn explicitly, e.g. '15m'" });
    }
    const adapter = this.adapterHost?.httpAdapter;
    const adapterName = adapter?.getType?.();
    const instance = adapter?.getInstance?.();
    if (adapterName === 'express' && typeof instance?.enabled === 'function' && instance.enabled('x-powered-by')) {
      findings.push({ code: 'EXPRESS_X_POWERED_BY', reason: 'Express sends X-Powered-By, advertising the stack', fix: "call app.disable('x-powered-by') in main.ts" });
    }
    const cors = adapterName ? await probeCors(adapterName, instance, adapter).catch(() => undefined) : undefined;
    if (cors?.credentials === 'true' && (cors.origin === '*' || cors.origin === 'https://attacker.invalid')) {
      findings.push({ code: 'CORS_ANY_ORIGIN_WITH_CREDENTIALS', reason: 'CORS allows any origin (or reflects it) together with credentials', fix: 'list the allowed origins in enableCors({ origin: [...] })' });
    }
    if (production && http.allowedProtocols.has('http:')) {
      findings.push({ code: 'SSRF_PLAIN_HTTP', reason: "SafeHttpService allows 'http:' in production", fix: "set http.allowedProtocols to ['https:']" });
    }
    if (production && !http.addresses.blockPrivateNetworks) {
      findings.push({ code: 'SSRF_PRIVATE_NETWORKS_OPEN', reason: 'http.blockPrivateNetworks is false in production', fix: 'remove blockPrivateNetworks: false; name the few internal addresses in http.allowedCidrs' });
    }
    if (http.addresses.exceptsMetadata) {
      findings.push({ code: 'SSRF_METADATA_ALLOWED', reason: 'http.allowedCidrs covers a cloud metadata address', fix: 'narrow http.allowedCidrs so it excludes 169.254.169.254 and the other metadata addresses' });
    }
    const store = raw.flows?.store;
    if (production && (store === undefined || store === 'memory')) {
      findings.push({ code: 'FLOW_MEMORY_STORE_IN_PRODUCTION', reason: 'flow limits use the memory store: each instance counts on its own', fix: "use flows.store: { redis: 'redis://…' } when running more than one instance" });
    }
    return findings;
  }
}
