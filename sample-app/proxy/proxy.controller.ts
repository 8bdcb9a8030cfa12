import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { Authenticated, SafeHttpService } from '../../lib/index.js';

/**
 * The seed's API7 endpoint: it fetches a URL given by the client. SafeHttpService keeps it to the
 * allowlisted hosts (see `http` in app.module.ts), whatever the URL, DNS or redirects say.
 */
@Controller('proxy')
@Authenticated()
export class ProxyController {
  constructor(private readonly http: SafeHttpService) {}

  @Get()
  async fetch(@Query('url') url: unknown) {
    if (typeof url !== 'string' || url.length === 0) throw new BadRequestException('url query parameter is required');
    // Every upstream status is reported in the body; blocks and unsafe answers are SafeHttpService's 4xx/5xx.
    const response = await firstValueFrom(this.http.get<string>(url, { responseType: 'text', validateStatus: () => true }));
    return {
      status: response.status,
      contentType: response.headers['content-type'] ?? null,
      body: String(response.data).slice(0, 10_000),
    };
  }
}
