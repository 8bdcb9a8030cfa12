import { Injectable } from '@nestjs/common';

export interface Comment {
  productId: string;
  userId: string;
  text: string;
  createdAt: string;
}

@Injectable()
export class CommentsService {
  private readonly comments: Comment[] = [];

  add(productId: string, userId: string, text: string): Comment {
    const comment = { productId, userId, text, createdAt: new Date().toISOString() };
    this.comments.push(comment);
    return comment;
  }

  forProduct(productId: string): Comment[] {
    return this.comments.filter((c) => c.productId === productId);
  }
}
