/**
 * Circuit breakers (cockatiel) around the two dependencies (seed 002, section 5 gap 1): storage, and
 * the cross-instance plane (registry + pub/sub — Redis in cluster mode). After 5 consecutive failures a
 * breaker opens and calls fail fast for `halfOpenAfterMs`, then one trial call decides.
 *
 * Degraded mode (what keeps working when a breaker is open):
 * - storage open  → sends are rejected with E_UNAVAILABLE (nothing is ACKed that is not durable);
 *                   /readyz answers 503 so a load balancer drains the instance.
 * - cross-instance open → local delivery continues; remote recipients are not pushed to and get the
 *                   messages from their durable inbox when they reconnect; /readyz answers 200 "degraded".
 */
import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';

/**
 * Errors that say nothing about the dependency's health (set `breakerNeutral: true` on them): e.g.
 * cluster mode's "target instance has no subscriber" (Redis is fine, one gateway died) or a seq
 * collision rejected by PostgreSQL's primary key. They propagate but neither open nor close a breaker,
 * so one dead instance does not cut every instance off from Redis.
 */
export function isBreakerNeutral(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { breakerNeutral?: unknown }).breakerNeutral === true
  );
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class Breaker {
  private readonly policy: CircuitBreakerPolicy;

  constructor(
    readonly name: string,
    halfOpenAfterMs: number,
  ) {
    this.policy = circuitBreaker(
      handleWhen((error) => !isBreakerNeutral(error)),
      {
        halfOpenAfter: halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(5),
      },
    );
  }

  execute<T>(fn: () => Promise<T>): Promise<T> {
    return this.policy.execute(fn);
  }

  get state(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }
}
