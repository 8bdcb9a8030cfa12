import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { API_SHIELD_OPTIONS } from '../constants.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';
import { formatFindings, formatTable } from './inventory-format.js';
import { RouteInventoryService } from './route-inventory.service.js';

/** Whether boot-time enforcement is suspended (the inventory CLI reports findings itself). */
export const exportingInventory = () => process.env.NESTJS_API_SHIELD_EXPORT === '1';

/** `inventory.mode`: 'warn' logs the table and findings once at boot; 'strict' refuses to boot on findings. */
@Injectable()
export class InventoryReportService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiShieldInventory');

  constructor(private readonly inventory: RouteInventoryService, @Inject(API_SHIELD_OPTIONS) private readonly options: ResolvedShieldOptions) {}

  onApplicationBootstrap(): void {
    const mode = this.options.inventoryMode;
    if (mode === 'off' || exportingInventory()) return;
    const findings = this.inventory.findings();
    const open = findings.filter((f) => !f.acknowledged);
    if (mode === 'strict' && open.length > 0) {
      throw new ShieldConfigurationError(`inventory (strict): ${open.length} finding(s) must be fixed or acknowledged:\n${formatFindings(open)}`);
    }
    this.logger.log(`routes and their protection:\n${formatTable(this.inventory.list())}`);
    if (open.length) this.logger.warn(`${open.length} finding(s):\n${formatFindings(open)}`);
  }
}
