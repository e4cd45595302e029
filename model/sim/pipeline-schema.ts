/**
 * The scenario's `pipeline:` section: the discrete-event simulation's sources, stations, routes,
 * sinks and failures (owned by model/sim/). Conventions:
 * - Sources describe the WHOLE system (a fleet-level rate, client or job count); the simulated slice
 *   receives 1/`slice.factor` of it. Stations describe the slice's own servers. So a slice of "one
 *   gateway of 200" has factor 200 and a gateway station with that one gateway's servers.
 * - Times are milliseconds; a distribution is a number (deterministic) or `{ dist: …, … }`.
 * - `to:` (or `routes:` with probabilities summing to 1) names a station or a sink; the implicit sink
 *   `exit` needs no declaration.
 * - A rate may name a metric of the analytic model (`{ metric: messages.perSecond.peak }`) so the
 *   simulation offers exactly the model's load.
 */
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a name of letters, digits, _ or -');
const positive = z.number().positive();
const nonNegative = z.number().min(0);

export const distributionSchema = z
  .union([
    nonNegative,
    z.strictObject({ dist: z.literal('deterministic'), valueMs: nonNegative }),
    z.strictObject({ dist: z.literal('exponential'), meanMs: positive }),
    z.strictObject({ dist: z.literal('uniform'), minMs: nonNegative, maxMs: nonNegative }),
    z.strictObject({ dist: z.literal('normal'), meanMs: positive, sdMs: nonNegative }),
    z.strictObject({ dist: z.literal('lognormal'), meanMs: positive, sdMs: nonNegative }),
    z.strictObject({
      dist: z.literal('empirical'),
      edgesMs: z.array(nonNegative).min(2),
      counts: z.array(nonNegative).min(1),
    }),
  ])
  .describe('A duration distribution in ms: a number (deterministic) or { dist: exponential|uniform|… }');

const rateSchema = z
  .union([
    nonNegative,
    z.strictObject({
      metric: z.string().describe('Analytic-model metric id, e.g. messages.perSecond.peak (per second)'),
      scale: nonNegative.optional().describe('Multiplier, e.g. 2 for "one send becomes two deliveries"'),
    }),
  ])
  .describe('Jobs per second for the whole system: a number or a model metric');

const routeSchema = z.strictObject({
  to: name,
  probability: z.number().min(0).max(1),
});

const retrySchema = z.strictObject({
  retries: z.number().int().min(0),
  baseMs: positive,
  maxMs: positive,
  jitter: z.number().min(0).max(1).optional().describe('0 none … 1 full jitter (default 1)'),
});

const profileSchema = z.union([
  z.literal('constant'),
  z.strictObject({
    diurnal: z.strictObject({
      peakFactor: z
        .number()
        .min(1)
        .optional()
        .describe("Peak ÷ average rate; default the workload's peakFactor"),
      startHour: z
        .number()
        .min(0)
        .max(24)
        .optional()
        .describe('Time of day the run starts at (peak at 12:00)'),
    }),
  }),
]);

const sourceBase = { name, to: name.optional(), routes: z.array(routeSchema).min(1).optional() };

const openSourceSchema = z.strictObject({
  ...sourceBase,
  type: z.literal('open'),
  rate: rateSchema,
  profile: profileSchema.optional().describe('Arrival-rate shape over the day; default constant'),
});

const closedSourceSchema = z.strictObject({
  ...sourceBase,
  type: z.literal('closed'),
  clients: positive.describe('Clients in the whole system, each with one job in flight at a time'),
  thinkTime: distributionSchema.describe('Delay between one job finishing and the client starting the next'),
  jobsPerClient: positive.optional().describe('Stop after this many jobs per client (a backlog to drain)'),
});

const burstSourceSchema = z.strictObject({
  ...sourceBase,
  type: z.literal('burst'),
  jobs: positive.describe('Jobs created at once in the whole system'),
  atS: nonNegative.optional(),
  everyS: positive.optional().describe('Repeat period; default once'),
});

export const sourceSchema = z.discriminatedUnion('type', [
  openSourceSchema,
  closedSourceSchema,
  burstSourceSchema,
]);

const stationBase = {
  name,
  description: z.string().optional(),
  servers: z.number().int().positive().describe('Servers of this station in the slice'),
  to: name.optional(),
  routes: z.array(routeSchema).min(1).optional(),
  ack: z
    .boolean()
    .optional()
    .describe('Leaving this station acknowledges the job to the sender (ACK latency)'),
  component: name
    .optional()
    .describe('The scenario component this station stands for (utilization comparison)'),
  fanOut: z
    .array(name)
    .optional()
    .describe(
      'Also send a copy of each job to these stations/sinks (async side paths, e.g. buffered persistence)',
    ),
};

const serviceStationSchema = z.strictObject({
  ...stationBase,
  type: z.literal('service').optional(),
  service: distributionSchema,
  serviceBySource: z
    .record(name, distributionSchema)
    .optional()
    .describe('Service time per source (job class)'),
  queueCapacity: positive.optional().describe('Jobs that may wait; more are dropped (default unbounded)'),
  timeoutMs: positive.optional().describe('A job that waits this long gives up (then retries, if any)'),
  retry: retrySchema
    .optional()
    .describe('Retries after a drop or timeout, with exponential backoff + jitter'),
});

const batchStationSchema = z.strictObject({
  ...stationBase,
  type: z.literal('batch'),
  maxBatch: z.number().int().positive().describe('Flush when the batch holds this many jobs'),
  maxDelayMs: positive.describe('…or this long after its first job arrived'),
  baseMs: distributionSchema.describe('Service time a of a batch: a + b·size'),
  perItemMs: nonNegative.describe('Service time b per job in the batch'),
  bufferCapacity: positive.optional(),
});

export const stationSchema = z.union([serviceStationSchema, batchStationSchema]);

const sinkSchema = z.strictObject({
  name,
  slo: z
    .enum(['deliveryLatencyMs', 'ackLatencyMs'])
    .optional()
    .describe("Judge this sink's end-to-end latency against the scenario's slo entry"),
  sloMs: z
    .strictObject({ p50: positive.optional(), p95: positive.optional(), p99: positive.optional() })
    .optional()
    .describe('Explicit end-to-end targets (ms) instead of the scenario slo'),
});

const failureSchema = z.strictObject({
  station: name,
  atS: nonNegative,
  durationS: positive,
  servers: z.number().int().positive(),
  reconnect: z
    .strictObject({
      clients: positive.describe('Clients (whole system) cut off, reconnecting with backoff'),
      to: name.describe('Station that handles a reconnect'),
      backoff: retrySchema.omit({ retries: true }).describe('First-attempt delay: baseMs·(1 − jitter·U)'),
    })
    .optional(),
});

export const pipelineSchema = z
  .strictObject({
    description: z.string().optional(),
    slice: z
      .strictObject({
        factor: z.number().min(1).describe('The slice is 1/factor of the system (by symmetry)'),
        unit: z.string().describe('What the slice is, e.g. "1 of 200 gateways and its share of shards"'),
      })
      .optional(),
    durationS: positive.optional().describe('Default simulated time (CLI --duration overrides)'),
    warmupS: nonNegative.optional().describe('Statistics start after this (default 10 % of the run)'),
    sources: z.array(sourceSchema).min(1),
    stations: z.array(stationSchema).min(1),
    sinks: z.array(sinkSchema).optional(),
    failures: z.array(failureSchema).optional(),
  })
  .describe('Discrete-event simulation: sources → stations → sinks');

export type PipelineSpec = z.infer<typeof pipelineSchema>;
export type SourceSpec = z.infer<typeof sourceSchema>;
export type StationSpec = z.infer<typeof stationSchema>;
export type SinkSpec = z.infer<typeof sinkSchema>;
export type FailureSpec = z.infer<typeof failureSchema>;
export type RateSpec = z.infer<typeof rateSchema>;
export type RouteSpec = z.infer<typeof routeSchema>;
