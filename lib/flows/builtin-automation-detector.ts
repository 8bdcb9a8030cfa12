import type { ExecutionContext } from '@nestjs/common';

const SCRIPTED_AGENTS =
  /(curl|wget|httpie|python-requests|python-urllib|aiohttp|go-http-client|okhttp|java\/|libwww-perl|node-fetch|undici|axios|got \(|scrapy|headlesschrome|phantomjs|puppeteer|playwright|selenium|webdriver|bot\b|crawler|spider)/i;

/** Cheap signal, off by default: no User-Agent, or a well-known script, library or headless browser. */
export function builtinAutomationDetector(ctx: ExecutionContext): boolean {
  const request = ctx.switchToHttp().getRequest();
  const agent = request?.headers?.['user-agent'];
  if (typeof agent !== 'string' || agent.trim() === '') return true;
  return SCRIPTED_AGENTS.test(agent);
}
