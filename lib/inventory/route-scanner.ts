import { Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig, DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory.js';

export interface DiscoveredRoute {
  controller: Function;
  handler: Function;
  handlerName: string;
  /** The module that declares the controller. */
  moduleName: string;
  method: string;
  /** Every full path the route is served at, as Nest's router builds them. */
  paths: string[];
  version?: string;
}

function leading(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

function asList(value: unknown): string[] {
  return ([] as unknown[]).concat(value ?? '/').map((p) => leading(String(p)));
}

function versionLabel(version: unknown): string | undefined {
  if (version === undefined) return undefined;
  return ([] as unknown[]).concat(version).map((v) => (typeof v === 'symbol' ? 'neutral' : String(v))).join(',');
}

/**
 * Every controller method that Nest maps to an HTTP route, in every module of the app, with the paths
 * built by Nest's own RoutePathFactory (global prefix and its exclusions, RouterModule prefixes,
 * URI versioning), so the inventory says what clients really reach.
 */
@Injectable()
export class RouteScanner {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly config: ApplicationConfig,
    private readonly modules: ModulesContainer,
  ) {}

  scan(): DiscoveredRoute[] {
    const routes: DiscoveredRoute[] = [];
    const factory = new RoutePathFactory(this.config);
    const versioningOptions = this.config.getVersioning();
    const globalPrefix = this.config.getGlobalPrefix();
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Function | undefined;
      if (!controller?.prototype) continue;
      const moduleType = wrapper.host?.metatype as Function | undefined;
      const modulePath = moduleType
        ? Reflect.getMetadata(`__module_path__${this.modules.applicationId}`, moduleType) ?? Reflect.getMetadata('__module_path__', moduleType)
        : undefined;
      const controllerVersion = Reflect.getMetadata(VERSION_METADATA, controller);
      for (const handlerName of this.scanner.getAllMethodNames(controller.prototype)) {
        const handler = controller.prototype[handlerName];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const requestMethod: RequestMethod = Reflect.getMetadata(METHOD_METADATA, handler) ?? RequestMethod.GET;
        const methodVersion = Reflect.getMetadata(VERSION_METADATA, handler);
        const paths: string[] = [];
        for (const ctrlPath of asList(Reflect.getMetadata(PATH_METADATA, controller))) {
          for (const methodPath of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            paths.push(...factory.create({
              ctrlPath, methodPath, modulePath, globalPrefix, controllerVersion, methodVersion, versioningOptions,
            }, requestMethod));
          }
        }
        const version = versioningOptions ? versionLabel(methodVersion ?? controllerVersion ?? versioningOptions.defaultVersion) : undefined;
        routes.push({
          controller, handler, handlerName, moduleName: wrapper.host?.name ?? 'unknown',
          method: RequestMethod[requestMethod], paths: [...new Set(paths)], version,
        });
      }
    }
    return routes;
  }
}
