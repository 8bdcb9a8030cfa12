import { Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { FLOW_RESERVATIONS, FLOW_STORE } from '../constants.js';
import type { AnyRequest } from '../utils/http-context.js';
import type { FlowStore } from './flow-store.interface.js';
import type { FlowReservation } from './sensitive-flow.guard.js';

/** `count: 'success'`: gives back the slots a request reserved when its handler throws. */
@Injectable()
export class SensitiveFlowInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ApiShield');

  constructor(@Inject(FLOW_STORE) private readonly store: FlowStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AnyRequest>();
    const reserved = request[FLOW_RESERVATIONS] as FlowReservation | undefined;
    if (!reserved) return next.handle();
    return next.handle().pipe(
      catchError((error) =>
        from(this.release(reserved)).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }

  private async release(reserved: FlowReservation): Promise<void> {
    try {
      await this.store.release(reserved.hits, reserved.reservation);
    } catch (error) {
      // The slot then expires with its window: stricter than intended, never looser.
      this.logger.warn(`could not release a flow slot: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
