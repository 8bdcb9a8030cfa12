import { Inject, Injectable } from '@nestjs/common';
import { API_SHIELD_OPTIONS } from '../constants.js';
import { SecurityEventsService } from '../events/security-events.service.js';
import type { ResolvedShieldOptions } from '../options/resolved-options.interface.js';
import { SafeHttpClient } from './safe-http-client.js';

/**
 * A drop-in for @nestjs/axios's HttpService (get, post, put, patch, delete, head, request, each an
 * Observable<AxiosResponse>) that cannot be pointed at internal networks, cloud metadata or hosts
 * outside `http.allowedHosts`, however the URL is spelled or wherever DNS or redirects lead.
 * `axiosRef` is deliberately absent. `withPolicy()` gives a client with a narrower policy.
 */
@Injectable()
export class SafeHttpService extends SafeHttpClient {
  constructor(@Inject(API_SHIELD_OPTIONS) options: ResolvedShieldOptions, events: SecurityEventsService) {
    super(options.http, events);
  }
}
