import { BadRequestException, Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CurrentUser, Public, Roles, SensitiveFlow, type Principal } from '../../lib/index.js';
import { CommentsService } from './comments.service.js';

const TEN_MINUTES = 10 * 60_000;

@Controller('products')
export class ProductsController {
  constructor(private readonly comments: CommentsService) {}

  @Public()
  @Get(':id/comments')
  list(@Param('id') id: string) {
    return this.comments.forProduct(id);
  }

  /** The seed's two API6 rules, declared instead of hand-written. Every role inherits 'user'. */
  @Roles('user')
  @SensitiveFlow({
    name: 'comment-rate', limit: 3, windowMs: TEN_MINUTES, by: 'user',
    message: 'Commenting too frequently. Please slow down.',
  })
  @SensitiveFlow({
    name: 'comment-per-product', limit: 1, windowMs: TEN_MINUTES, by: 'user', scope: 'params.id',
    message: 'You can only comment once every 10 minutes.',
  })
  @Post(':id/comment')
  comment(@Param('id') id: string, @CurrentUser() user: Principal, @Body() body: { text?: unknown }) {
    const text = typeof body?.text === 'string' ? body.text.trim() : '';
    if (!text || text.length > 2000) throw new BadRequestException('text must be 1-2000 characters');
    return { status: 'success', comment: this.comments.add(id, user.id, text) };
  }
}
