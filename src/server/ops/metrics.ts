/**
 * Prometheus metrics, one Registry per server instance (no process-wide singletons, so tests can run many
 * servers in one process). Names follow Prometheus conventions: unit suffixes and `_total` for counters.
 * Other modules add their own metrics to `ctx.registry`.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type SignInOutcome = 'success' | 'bad_credentials' | 'locked_out' | 'suspended' | 'csrf' | 'invalid_input';

export interface ServerMetrics {
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly signInAttempts: Counter<'outcome'>;
  readonly secondFactorAttempts: Counter<'outcome'>;
}

export const createMetrics = (): { registry: Registry; metrics: ServerMetrics } => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'keyway_' });
  const metrics: ServerMetrics = {
    httpRequests: new Counter({
      name: 'keyway_http_requests_total',
      help: 'HTTP requests by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'keyway_http_request_duration_seconds',
      help: 'HTTP request duration by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    signInAttempts: new Counter({
      name: 'keyway_signin_attempts_total',
      help: 'Password sign-in attempts by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    secondFactorAttempts: new Counter({
      name: 'keyway_signin_second_factor_attempts_total',
      help: 'One-time code checks at sign-in by outcome (success, bad_otp, locked_out, csrf)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
  return { registry, metrics };
};
