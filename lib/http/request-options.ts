import type { AxiosRequestConfig } from 'axios';
import { SsrfBlockedException } from './ssrf-blocked.exception.js';

/** What a caller may add to a request through SafeHttpService. */
export interface SafeRequestConfig<D = any> extends AxiosRequestConfig<D> {
  /** Media type the answer must have, e.g. 'application/json'; otherwise UnsafeResponseException (502). */
  expectedContentType?: string;
}

/**
 * Per-request options a caller may set. Anything else is refused: an allowlist, so that an option axios
 * adds tomorrow cannot route around the policy (socketPath, proxy, agents, lookup, transport, adapter,
 * httpVersion, beforeRedirect, baseURL, allowAbsoluteUrls, createConnection, family...).
 */
const ALLOWED = new Set<string>([
  'url', 'method', 'data', 'headers', 'params', 'paramsSerializer', 'timeout', 'timeoutErrorMessage',
  'responseType', 'responseEncoding', 'maxContentLength', 'maxBodyLength', 'maxRedirects', 'validateStatus',
  'signal', 'cancelToken', 'decompress', 'auth', 'transformRequest', 'transformResponse', 'onUploadProgress',
  'onDownloadProgress', 'expectedContentType', 'transitional', 'formSerializer', 'withCredentials',
  'xsrfCookieName', 'xsrfHeaderName',
]);

export function assertSafeOptions(config: SafeRequestConfig, limits: { maxRedirects: number; maxResponseBytes: number; timeoutMs: number }): void {
  if (config === null || typeof config !== 'object') throw new SsrfBlockedException('option-not-allowed', 'config must be an object');
  for (const key of Object.keys(config)) {
    if (!ALLOWED.has(key) && (config as Record<string, unknown>)[key] !== undefined) {
      throw new SsrfBlockedException('option-not-allowed', key);
    }
  }
  const over = (value: unknown, limit: number) => value !== undefined && (typeof value !== 'number' || value < 0 || value > limit);
  if (over(config.maxRedirects, limits.maxRedirects)) throw new SsrfBlockedException('option-not-allowed', 'maxRedirects');
  if (over(config.maxContentLength, limits.maxResponseBytes)) throw new SsrfBlockedException('option-not-allowed', 'maxContentLength');
  if (over(config.timeout, limits.timeoutMs)) throw new SsrfBlockedException('option-not-allowed', 'timeout');
  if (config.responseType === 'stream') throw new SsrfBlockedException('option-not-allowed', "responseType 'stream'");
  if (config.decompress === false) throw new SsrfBlockedException('option-not-allowed', 'decompress');
}
