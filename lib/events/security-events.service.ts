import { Inject, Injectable, Logger } from '@nestjs/common';
import { API_SHIELD_OPTIONS } from '../constants.js';
import type { SecurityEvent } from '../interfaces/security-event.interface.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';

type Without<T, K extends keyof any> = T extends any ? Omit<T, K> : never;
export type SecurityEventInput = Without<SecurityEvent, 'at'>;

/** Hands every denial, limit hit, SSRF block and store failure to `onSecurityEvent`. Never throws. */
@Injectable()
export class SecurityEventsService {
  private readonly logger = new Logger('ApiShield');

  constructor(@Inject(API_SHIELD_OPTIONS) private readonly options: ResolvedShieldOptions) {}

  emit(event: SecurityEventInput): void {
    const handler = this.options.raw.onSecurityEvent;
    if (!handler) return;
    try {
      const result = handler({ ...event, at: new Date().toISOString() } as SecurityEvent);
      if (result && typeof (result as Promise<void>).catch === 'function') {
        (result as Promise<void>).catch((error) => this.report(error));
      }
    } catch (error) {
      this.report(error);
    }
  }

  private report(error: unknown): void {
    this.logger.error(`onSecurityEvent handler failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
