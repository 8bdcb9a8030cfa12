import { Injectable } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';

export interface DiscoveredRoute {
  controller: Function;
  handler: Function;
  handlerName: string;
  /** The module that declares the controller. */
  moduleName: string;
}

/** Every controller method that Nest maps to an HTTP route, in every module of the app. */
@Injectable()
export class RouteScanner {
  constructor(private readonly discovery: DiscoveryService, private readonly scanner: MetadataScanner) {}

  scan(): DiscoveredRoute[] {
    const routes: DiscoveredRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Function | undefined;
      if (!controller || !controller.prototype) continue;
      for (const handlerName of this.scanner.getAllMethodNames(controller.prototype)) {
        const handler = controller.prototype[handlerName];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        routes.push({ controller, handler, handlerName, moduleName: wrapper.host?.name ?? 'unknown' });
      }
    }
    return routes;
  }
}
