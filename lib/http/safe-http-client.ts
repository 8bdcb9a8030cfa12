import axios, { AxiosError, AxiosHeaders, type AxiosInstance, type AxiosResponse } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Observable } from 'rxjs';
import type { SecurityEventsService } from '../events/security-events.service.js';
import type { SafeHttpPolicy } from '../interfaces/safe-http-policy.interface.js';
import { ShieldConfigurationError } from '../options/shield-configuration.error.js';
import { guardedLookup } from './guarded-lookup.js';
import { HostAllowlist } from './host-allowlist.js';
import { checkUrl, describeTarget, type CheckedUrl } from './outbound-url.js';
import { assertSafeOptions, type SafeRequestConfig } from './request-options.js';
import type { ResolvedHttpPolicy } from './resolved-http-policy.interface.js';
import { SsrfBlockedException } from './ssrf-blocked.exception.js';
import { UnsafeResponseException } from './unsafe-response.exception.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const TIMED_OUT = Symbol('timed out');

/** A narrower policy for one use: it can only take away from the module's policy. */
export interface NarrowerHttpPolicy extends Pick<SafeHttpPolicy, 'allowedHosts' | 'allowedProtocols' | 'allowedPorts' | 'maxRedirects' | 'timeoutMs' | 'maxResponseBytes'> {
  /** Relative URLs resolve against it; absolute URLs must stay on its origin and under its path. */
  baseURL?: string;
}

/** Intersection of two host lists: a host must pass both. */
class BothHostLists extends HostAllowlist {
  constructor(private readonly outer: HostAllowlist, private readonly inner: HostAllowlist) {
    super([]);
  }
  override get allowsAny(): boolean {
    return this.outer.allowsAny && this.inner.allowsAny;
  }
  override allows(host: string): boolean {
    return this.outer.allows(host) && this.inner.allows(host);
  }
}

/**
 * The outbound HTTP client behind SafeHttpService (API7, API10): every request and every redirect hop is
 * checked before a socket connects, and the socket connects to the address that was checked.
 */
export class SafeHttpClient {
  private readonly axios: AxiosInstance;

  constructor(
    protected readonly policy: ResolvedHttpPolicy,
    protected readonly events?: SecurityEventsService,
    private readonly base?: URL,
  ) {
    const lookup = guardedLookup(policy.addresses, policy.dnsLookup);
    this.axios = axios.create({
      adapter: 'http',
      proxy: false, // environment proxies would hide the real target from the lookup
      maxRedirects: 0, // hops are followed here, each one checked
      httpAgent: new HttpAgent({ keepAlive: true, lookup }),
      httpsAgent: new HttpsAgent({ keepAlive: true, lookup }),
      validateStatus: () => true,
      allowAbsoluteUrls: true,
    });
  }

  /** A client with a narrower policy (fewer hosts, protocols or ports; lower limits; an optional baseURL). */
  withPolicy(narrower: NarrowerHttpPolicy): SafeHttpClient {
    const p = this.policy;
    const protocols = narrower.allowedProtocols ? narrower.allowedProtocols.filter((x) => p.allowedProtocols.has(x)) : [...p.allowedProtocols];
    if (protocols.length === 0) throw new ShieldConfigurationError('withPolicy: allowedProtocols leaves nothing the module allows');
    let ports = p.allowedPorts;
    if (narrower.allowedPorts !== undefined && narrower.allowedPorts !== 'any') {
      const wanted = narrower.allowedPorts;
      ports = new Set(p.allowedPorts === 'any' ? wanted : p.allowedPorts === 'default' ? wanted.filter((x) => x === 80 || x === 443) : wanted.filter((x) => (p.allowedPorts as Set<number>).has(x)));
      if (ports.size === 0) throw new ShieldConfigurationError('withPolicy: allowedPorts leaves nothing the module allows');
    }
    const min = (value: number | undefined, limit: number) => (value === undefined ? limit : Math.min(value, limit));
    const policy: ResolvedHttpPolicy = {
      ...p,
      hosts: narrower.allowedHosts ? new BothHostLists(p.hosts, new HostAllowlist(narrower.allowedHosts)) : p.hosts,
      allowedProtocols: new Set(protocols),
      allowedPorts: ports,
      maxRedirects: min(narrower.maxRedirects, p.maxRedirects),
      timeoutMs: min(narrower.timeoutMs, p.timeoutMs),
      maxResponseBytes: min(narrower.maxResponseBytes, p.maxResponseBytes),
    };
    let base: URL | undefined;
    if (narrower.baseURL !== undefined) {
      try {
        base = checkUrl(narrower.baseURL, policy).url;
      } catch {
        throw new ShieldConfigurationError(`withPolicy: baseURL ${describeTarget(narrower.baseURL)} is not allowed by the policy`);
      }
    }
    return new SafeHttpClient(policy, this.events, base);
  }

  request<T = any>(config: SafeRequestConfig): Observable<AxiosResponse<T>> {
    return new Observable<AxiosResponse<T>>((subscriber) => {
      const abort = new AbortController();
      let settled = false;
      this.execute<T>(config, abort).then(
        (response) => { settled = true; subscriber.next(response); subscriber.complete(); },
        (error) => { settled = true; subscriber.error(error); },
      );
      // Unsubscribing while the exchange runs cancels it, as HttpService does.
      return () => { if (!settled) abort.abort(); };
    });
  }

  get<T = any>(url: string, config?: SafeRequestConfig): Observable<AxiosResponse<T>> {
    return this.request<T>({ ...config, url, method: 'get' });
  }
  delete<T = any>(url: string, config?: SafeRequestConfig): Observable<AxiosResponse<T>> {
    return this.request<T>({ ...config, url, method: 'delete' });
  }
  head<T = any>(url: string, config?: SafeRequestConfig): Observable<AxiosResponse<T>> {
    return this.request<T>({ ...config, url, method: 'head' });
  }
  post<T = any>(url: string, data?: any, config?: SafeRequestConfig): Observable<AxiosResponse<T>> {
    return this.request<T>({ ...config, url, data, method: 'post' });
  }
  put<T = any>(url: string, data?: any, config?: SafeRequestConfig): Observable<AxiosResponse<T>> {
    return this.request<T>({ ...config, url, data, method: 'put' });
  }
  patch<T = any>(url: string, data?: any, config?: SafeRequestConfig): Observable<AxiosResponse<T>> {
    return this.request<T>({ ...config, url, data, method: 'patch' });
  }

  private async execute<T>(config: SafeRequestConfig, abort: AbortController): Promise<AxiosResponse<T>> {
    try {
      return await this.exchange<T>(config, abort);
    } catch (error) {
      if (error instanceof SsrfBlockedException) {
        this.events?.emit({ type: 'ssrf-blocked', reason: error.reason, target: describeTarget(config?.url) });
      } else if (error instanceof UnsafeResponseException) {
        this.events?.emit({ type: 'unsafe-response', reason: error.reason, target: describeTarget(config?.url) });
      }
      throw error;
    }
  }

  /** `abort` is the exchange's one controller: unsubscribing, the caller's signal and the time limit all use it. */
  private async exchange<T>(config: SafeRequestConfig, abort: AbortController): Promise<AxiosResponse<T>> {
    const policy = this.policy;
    assertSafeOptions(config, policy);
    const { expectedContentType, validateStatus, maxRedirects: wantedRedirects, timeout, signal: callerSignal, ...passthrough } = config;
    const maxRedirects = wantedRedirects ?? policy.maxRedirects;
    let current = this.checkBase(checkUrl(config.url, policy, this.base));

    const timer = setTimeout(() => abort.abort(TIMED_OUT), timeout && timeout > 0 ? timeout : policy.timeoutMs);
    const caller = callerSignal as AbortSignal | undefined;
    caller?.addEventListener?.('abort', () => abort.abort(caller.reason), { once: true });

    let method = (config.method ?? 'get').toUpperCase();
    let data = config.data;
    const headers = AxiosHeaders.from((config.headers ?? {}) as any);
    try {
      for (let hop = 0; ; hop++) {
        const response = await this.send<T>({
          ...passthrough, url: current.url.href, method, data, headers,
          maxContentLength: config.maxContentLength ?? policy.maxResponseBytes,
          signal: abort.signal, timeout: 0,
        }, abort.signal);
        const location = response.headers?.location;
        if (!REDIRECTS.has(response.status) || typeof location !== 'string' || maxRedirects === 0) {
          return this.accept(response, validateStatus, expectedContentType);
        }
        if (hop >= maxRedirects) throw new SsrfBlockedException('too-many-redirects');
        const next = this.nextHop(location, current);
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
          data = undefined;
          headers.delete('content-type');
          headers.delete('content-length');
        }
        if (next.url.origin !== current.url.origin) CREDENTIAL_HEADERS.forEach((h) => headers.delete(h));
        current = next;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async send<T>(request: SafeRequestConfig, signal: AbortSignal): Promise<AxiosResponse<T>> {
    try {
      return await this.axios.request<T>(request);
    } catch (error) {
      const blocked = findCause(error, SsrfBlockedException);
      if (blocked) throw blocked;
      if (signal.aborted && signal.reason === TIMED_OUT) throw new UnsafeResponseException('timeout');
      if (signal.aborted) throw error; // cancelled by the caller
      if (error instanceof AxiosError && /maxContentLength/.test(error.message)) throw new UnsafeResponseException('response-too-large');
      throw new UnsafeResponseException('upstream-failed');
    }
  }

  private nextHop(location: string, current: CheckedUrl): CheckedUrl {
    try {
      return this.checkBase(checkUrl(location, this.policy, current.url));
    } catch (error) {
      if (error instanceof SsrfBlockedException) throw new SsrfBlockedException('redirect-not-allowed');
      throw error;
    }
  }

  /** With a baseURL, every target (and hop) stays on its origin and under its path. */
  private checkBase(target: CheckedUrl): CheckedUrl {
    const base = this.base;
    if (base && (target.url.origin !== base.origin || !target.url.pathname.startsWith(base.pathname))) {
      throw new SsrfBlockedException('host-not-allowed', 'outside the client baseURL');
    }
    return target;
  }

  private accept<T>(response: AxiosResponse<T>, validateStatus: SafeRequestConfig['validateStatus'], expected?: string): AxiosResponse<T> {
    const valid = validateStatus === undefined ? response.status >= 200 && response.status < 300 : !validateStatus || validateStatus(response.status);
    if (!valid) {
      throw new AxiosError(
        `Request failed with status code ${response.status}`,
        response.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
        response.config, response.request, response,
      );
    }
    if (expected !== undefined) {
      const actual = String(response.headers?.['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (actual !== expected.toLowerCase()) throw new UnsafeResponseException('unexpected-content-type');
    }
    return response;
  }
}

function findCause<E>(error: unknown, type: new (...args: any[]) => E): E | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof type) return current;
  }
  return undefined;
}
