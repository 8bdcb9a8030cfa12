#!/usr/bin/env node
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { INVENTORY_TOKEN } from '../constants.js';
import { formatInventory, type InventoryFormat } from '../inventory/inventory-format.js';
import type { RouteInventoryService } from '../inventory/route-inventory.service.js';

const USAGE = `usage: nestjs-api-shield inventory <compiled app module file> [--module AppModule] [--format table|json|md] [--prefix api]

Prints every route of the app with its protection, without starting the HTTP listener.
Exits 1 when findings remain that are not acknowledged with @AcknowledgeFinding.`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<number> {
  const [command, file] = args;
  if (command !== 'inventory' || !file) {
    console.error(USAGE);
    return 2;
  }
  const format = (option(args, '--format') ?? 'table') as InventoryFormat;
  if (!['table', 'json', 'md'].includes(format)) {
    console.error(`unknown format '${format}'\n${USAGE}`);
    return 2;
  }
  const exported = await import(pathToFileURL(resolve(file)).href);
  const name = option(args, '--module');
  const moduleClass = name ? exported[name] : exported.AppModule ?? Object.values(exported).find((v) => typeof v === 'function' && Reflect.getMetadata('imports', v as object) !== undefined);
  if (typeof moduleClass !== 'function') {
    console.error(`no module ${name ?? 'AppModule'} exported by ${file}`);
    return 2;
  }
  process.env.NESTJS_API_SHIELD_EXPORT = '1';
  const app = await NestFactory.create(moduleClass, { logger: false });
  try {
    const prefix = option(args, '--prefix');
    if (prefix) app.setGlobalPrefix(prefix);
    await app.init();
    const inventory = app.get<RouteInventoryService>(INVENTORY_TOKEN, { strict: false });
    const findings = inventory.findings();
    console.log(formatInventory(inventory.list(), findings, format));
    return findings.some((f) => !f.acknowledged) ? 1 : 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
