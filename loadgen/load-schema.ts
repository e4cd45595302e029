/**
 * The scenario's `load:` section: how `capsim loadtest` drives a server for this scenario.
 * Values stay as the user wrote them (durations like `30s`) so the JSON Schema is exact;
 * loadgen/resolve-load.ts turns them into a plan with milliseconds and rates.
 *
 * Example (a 30 s local run):
 *   load:
 *     phases:
 *       - { name: ramp-up, connections: 200, connectRatePerSecond: 50 }
 *       - { name: peak, duration: 20s, messageRateMultiplier: 3 }
 *       - { name: ramp-down, duration: 2s, connections: 0 }
 *     messages: { perUserPerDay: 15, timeCompression: 2000 }
 *     conversations: { groupFraction: 0.2, groupSize: 8 }
 *     offline: { fraction: 0.1, awayDuration: 3s }
 *     thresholds:
 *       delivery_latency: p95 < 100ms
 *       ack_latency: p99 < 200ms
 *       lost: == 0
 *       connect_errors: rate < 0.1%
 */
import { z } from 'zod';
import { durationPattern } from './duration.js';
import { parseThreshold } from './thresholds.js';

const duration = z
  .union([z.number().nonnegative(), z.string().regex(durationPattern, 'a duration such as 30s, 500ms, 2m')])
  .describe('A duration: `30s`, `500ms`, `2m`, `1h`, or a number of seconds');

const fraction = z.number().min(0).max(1);

export const loadPhaseSchema = z
  .strictObject({
    name: z.string().optional(),
    duration: duration
      .optional()
      .describe('How long the phase lasts; omit to derive it from connectRatePerSecond'),
    connections: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Open connections to reach by the end of the phase (ramped linearly); omit to hold'),
    connectRatePerSecond: z
      .number()
      .positive()
      .optional()
      .describe('Ramp speed in connections per second (duration = |change| / rate)'),
    messageRateMultiplier: z
      .number()
      .nonnegative()
      .optional()
      .describe('Multiplies the message rate during this phase (e.g. 3 for the 3× peak); default 1'),
  })
  .refine(
    (phase) =>
      phase.duration !== undefined ||
      (phase.connections !== undefined && phase.connectRatePerSecond !== undefined),
    {
      message: 'a phase needs `duration`, or `connections` together with `connectRatePerSecond`',
    },
  );

export const loadMessagesSchema = z
  .strictObject({
    perUserPerDay: z
      .number()
      .positive()
      .optional()
      .describe('Messages each online user sends per (compressed) day'),
    timeCompression: z
      .number()
      .positive()
      .optional()
      .describe('How many simulated seconds pass per real second (86400 = one day per second); default 1'),
    perSecond: z.number().positive().optional().describe('Total messages per second over all online users'),
    arrival: z.enum(['poisson', 'uniform']).optional().describe('Open arrival process; default poisson'),
    bodyBytes: z.number().int().min(1).max(4096).optional().describe('Message body size; default 64'),
  })
  .refine((m) => (m.perUserPerDay === undefined) !== (m.perSecond === undefined), {
    message: 'give exactly one of `perUserPerDay` (with optional `timeCompression`) or `perSecond`',
  });

export const loadHttpPhaseSchema = z.strictObject({
  name: z.string().optional(),
  endpoint: z
    .enum(['tokens', 'history', 'healthz', 'readyz', 'metrics'])
    .describe('tokens = login storm (POST /v1/tokens); history = GET /v1/conversations/:id/messages'),
  start: duration.optional().describe('Offset from the start of the run; default 0'),
  duration,
  connections: z.number().int().positive().optional().describe('Concurrent HTTP connections; default 10'),
  requestsPerSecond: z
    .number()
    .positive()
    .optional()
    .describe('Open-model request rate; omit for closed-loop max'),
});

export const thresholdsSchema = z
  .union([z.array(z.string()), z.record(z.string(), z.union([z.string(), z.array(z.string())]))])
  .describe(
    'k6-like thresholds: `delivery_latency: p95 < 100ms`, `lost: == 0`, `connect_errors: rate < 0.1%`, or a list of `metric: expr` strings',
  )
  .superRefine((value, ctx) => {
    for (const [path, text] of thresholdEntries(value)) {
      try {
        parseThreshold(text);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  });

export type ThresholdsSpec = z.infer<typeof thresholdsSchema>;

/** Flattens both threshold forms into `[path, "metric: expression"]` pairs. */
export function thresholdEntries(value: ThresholdsSpec): [(string | number)[], string][] {
  if (Array.isArray(value)) return value.map((text, index) => [[index], text]);
  const entries: [(string | number)[], string][] = [];
  for (const [metric, expressions] of Object.entries(value)) {
    const list = Array.isArray(expressions) ? expressions : [expressions];
    list.forEach((expression, index) =>
      entries.push([Array.isArray(expressions) ? [metric, index] : [metric], `${metric}: ${expression}`]),
    );
  }
  return entries;
}

export const loadSchema = z
  .strictObject({
    users: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Virtual users (one connection each); default: the largest `connections` of the phases'),
    phases: z.array(loadPhaseSchema).min(1).optional(),
    messages: loadMessagesSchema.optional(),
    conversations: z
      .strictObject({
        groupFraction: fraction
          .optional()
          .describe('Share of users in group conversations (rest in 1:1); default 0'),
        groupSize: z.number().int().min(3).max(256).optional().describe('Members per group; default 8'),
      })
      .optional(),
    offline: z
      .strictObject({
        fraction: fraction.describe(
          'Share of users that go offline once and come back (exercises the inbox)',
        ),
        awayDuration: duration.optional().describe('How long they stay away; default 3s'),
        at: duration.optional().describe('When they leave, from the start of the run; default mid-run'),
      })
      .optional(),
    receipts: z.boolean().optional().describe('Send `delivered` receipts for every delivery; default true'),
    heartbeat: duration.optional().describe("Ping interval; default half the server's heartbeatMs"),
    reconnect: z
      .strictObject({ initialDelay: duration.optional(), maxDelay: duration.optional() })
      .optional()
      .describe('Reconnect backoff (exponential with full jitter); default 100ms .. 5s'),
    grace: duration
      .optional()
      .describe('How long to wait for outstanding deliveries after sending stops; default 5s'),
    http: z.array(loadHttpPhaseSchema).optional(),
    thresholds: thresholdsSchema.optional(),
    fullScale: z
      .strictObject({
        connections: z
          .number()
          .int()
          .positive()
          .describe('Concurrent connections of the real system (e.g. 50,000,000)'),
        messagesPerSecond: z.number().positive().describe('Peak messages per second of the real system'),
        connectionsPerInstance: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('Gateway capacity; default 10,000'),
      })
      .optional()
      .describe('Full-scale figures for `capsim plan` and `capsim loadtest --slice 1/K`'),
    seed: z.number().int().optional().describe('Seed of the arrival process and user choice; default 1'),
  })
  .describe('Load-test plan: phases, message rate, conversations, offline users, HTTP phases, thresholds');

export type LoadSpec = z.infer<typeof loadSchema>;
export type LoadPhaseSpec = z.infer<typeof loadPhaseSchema>;
export type LoadHttpPhaseSpec = z.infer<typeof loadHttpPhaseSchema>;
