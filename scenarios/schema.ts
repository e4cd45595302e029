/**
 * The scenario format: one zod schema for every bundled and user scenario. Objects are strict, so a
 * misspelt field is an error (with a "did you mean" from scenarios/suggest.ts), never silently ignored.
 * Any input number may be uncertain (see scenarios/quantity.ts). The JSON Schema for editors is
 * generated from this file into scenarios/schema.json (`npm run schema`, checked by a test).
 */
import { z } from 'zod';
import { pipelineSchema } from '../model/sim/pipeline-schema.js';
import { loadSchema } from '../loadgen/load-schema.js';
import { fraction, quantity } from './quantity.js';

/** Names used inside metric ids (component, tier, policy names): letters, digits, `_` and `-`. */
const idName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a name of letters, digits, _ or -');
/** A metric id such as `messages.perSecond.peak` or an input path such as `workload.concurrentConnections`. */
const metricRef = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'a metric id such as messages.perSecond.avg');

/** A duration written with its unit; the parts add up (`{ hours: 1, minutes: 30 }`). */
export const durationSchema = z
  .strictObject({
    days: quantity().optional(),
    hours: quantity().optional(),
    minutes: quantity().optional(),
    seconds: quantity().optional(),
    ms: quantity().optional(),
  })
  .describe('A duration: any of days, hours, minutes, seconds, ms (they add up)');

export const workloadSchema = z
  .strictObject({
    registeredUsers: quantity().optional().describe('Registered (stored) users'),
    dailyActiveUsers: quantity().optional().describe('Users active on a given day (DAU)'),
    concurrentConnections: quantity().optional().describe('Connections open at the peak hour'),
    messagesPerUserPerDay: quantity().optional().describe('Messages each daily active user sends per day'),
    messagesPerSecond: quantity()
      .optional()
      .describe('Average messages per second, when the document gives a rate instead of per-user figures'),
    peakFactor: quantity({ min: 1 }).optional().describe('Peak rate ÷ average rate (e.g. 3 for "3× peak")'),
    operationsPerUserPerDay: z
      .record(idName, z.union([quantity(), metricRef]))
      .optional()
      .describe(
        'Operations per daily active user per day, by kind (login, send, receive, presence…); a value may name ' +
          'another input, e.g. `workload.messagesPerUserPerDay`, so both move together',
      ),
    readsPerSecond: quantity()
      .optional()
      .describe('Read operations per second, when the document states them'),
  })
  .describe('Who uses the system and how much');

export const currentSchema = z
  .strictObject({
    messagesPerMinute: quantity().optional().describe("Today's message capacity of the whole system"),
    registeredUsers: quantity().optional().describe("Users today's system is estimated to handle"),
  })
  .describe("What today's system is measured or estimated to handle");

export const componentSchema = z
  .strictObject({
    description: z.string().optional(),
    demand: z
      .union([metricRef, quantity()])
      .optional()
      .describe('What loads this component: a metric id (e.g. messages.perSecond.peak) or a number'),
    demandUnit: z
      .string()
      .optional()
      .describe('Unit of demand and capacity, e.g. "messages/s", "connections"'),
    capacityPerUnit: quantity().optional().describe('What one unit (instance, node, shard) handles'),
    improvedCapacityPerUnit: quantity()
      .optional()
      .describe('Per-unit capacity after the recommended improvements'),
    targetUtilization: fraction()
      .optional()
      .describe('Size the fleet so each unit runs at most this busy (default 1)'),
    unitsDeployed: quantity().optional().describe('Units running today (for shortfall and utilization)'),
    units: quantity()
      .optional()
      .describe('A fixed unit count (primaries, shards) when not sized from demand'),
    unitsFactors: z
      .record(idName, quantity())
      .optional()
      .describe('A unit count given as a product, e.g. { regions: 4, shardsPerRegion: 20 }'),
    replicasPerUnit: quantity()
      .optional()
      .describe('Replicas behind each unit (instances = units × (1 + replicas))'),
    perUnit: z
      .strictObject({
        cpuCores: quantity().optional(),
        memoryGB: quantity().optional(),
        networkGbps: quantity().optional(),
      })
      .optional()
      .describe('Resources of one instance'),
    unitCostPerMonthUSD: quantity()
      .optional()
      .describe('Monthly price of one instance (primaries and replicas alike)'),
    queueing: z
      .strictObject({
        targetMeanWaitMs: quantity().optional(),
        targetWaitProbability: fraction().optional(),
      })
      .optional()
      .describe('Size by Erlang C (M/M/c): each unit is a server with rate capacityPerUnit per second'),
  })
  .describe('A tier of identical units (servers, shards, nodes) sized against a demand');

export const databaseSchema = z
  .strictObject({
    writesPerMessage: quantity().optional().describe('Database writes per message (default 1)'),
    readsPerOperation: quantity().optional().describe('Database reads per user operation (default 0)'),
    readsPerSecond: quantity()
      .optional()
      .describe('Reads per second when stated directly (overrides the above)'),
  })
  .describe('How user traffic turns into database operations');

export const storageSchema = z
  .strictObject({
    perUser: z
      .record(idName, z.strictObject({ bytes: quantity(), count: quantity().optional() }))
      .optional()
      .describe('Bytes stored per registered user, by item (count multiplies bytes)'),
    datasetsTB: z
      .record(idName, quantity())
      .optional()
      .describe('Other stored data sets in terabytes (10^12 B)'),
  })
  .describe('What is stored');

export const tierSchema = z.strictObject({
  name: idName,
  fromDay: quantity().describe('Age (days) where the tier starts'),
  toDay: quantity().describe('Age (days) where the tier ends'),
  pricePerTBMonthUSD: quantity(),
  compressionRatio: quantity({ min: 1 }).optional().describe('Raw bytes ÷ stored bytes (default 1)'),
});

export const tieringSchema = z
  .strictObject({
    records: quantity().describe('Records stored, spread evenly over ages 0 … horizonDays'),
    horizonDays: quantity().optional().describe('Age of the oldest record (default: the largest toDay)'),
    bytesPerRecord: quantity(),
    baselinePricePerTBMonthUSD: quantity().describe('Price of keeping every record in the hottest store'),
    tiers: z.array(tierSchema).min(1),
  })
  .describe('Hot/warm/cold storage tiers by record age, with prices');

export const cachingSchema = z
  .strictObject({
    layers: z
      .array(
        z.strictObject({
          name: idName,
          cumulativeHitRatio: fraction().describe('Fraction of reads served by this layer or an earlier one'),
          ttl: durationSchema.optional(),
        }),
      )
      .min(1),
  })
  .describe('Cache layers in lookup order');

export const bandwidthSchema = z
  .strictObject({
    bytesPerMessage: quantity(),
    pricePerTBUSD: quantity().describe('Price per terabyte transferred'),
    daysPerMonth: quantity({ min: 1 }).optional().describe('Default 30'),
  })
  .describe('Network transfer and its price');

export const costsSchema = z
  .strictObject({
    fixedPerMonthUSD: z.record(idName, quantity()).optional().describe('Line items not tied to a component'),
  })
  .describe('Monthly costs beyond components and bandwidth');

const percentileTargets = z
  .strictObject({
    p50: z.number().positive().optional(),
    p90: z.number().positive().optional(),
    p95: z.number().positive().optional(),
    p99: z.number().positive().optional(),
    p999: z.number().positive().optional(),
    max: z.number().positive().optional(),
  })
  .describe('Latency targets by percentile, in milliseconds, e.g. { p95: 100 }');

export const sloSchema = z
  .strictObject({
    deliveryLatencyMs: percentileTargets.optional().describe('Send → delivered to an online recipient'),
    ackLatencyMs: percentileTargets.optional().describe('Send → server acknowledgement'),
    stagesMs: z
      .record(idName, percentileTargets)
      .optional()
      .describe('Targets of individual pipeline stages'),
    availability: fraction().optional().describe('e.g. 0.9999 for 99.99 %'),
  })
  .describe('Service level objectives');

export const retryPolicySchema = z.strictObject({
  baseDelay: durationSchema,
  multiplier: quantity({ min: 1 }).optional().describe('Default 2'),
  maxRetries: quantity({ int: true }),
  firstExponent: quantity({ int: true })
    .optional()
    .describe('Exponent of the first delay: delay_k = base × multiplier^(firstExponent + k); default 0'),
  maxDelay: durationSchema.optional(),
  jitter: z.enum(['none', 'full', 'equal']).optional(),
});

export const rateLimitSchema = z.strictObject({
  limit: quantity(),
  window: durationSchema,
  scope: z.enum(['user', 'ip', 'device', 'global']).optional(),
});

export const policiesSchema = z
  .strictObject({
    retention: z
      .record(idName, durationSchema)
      .optional()
      .describe('How long each kind of data is kept (TTLs)'),
    retries: z.record(idName, retryPolicySchema).optional().describe('Retry with exponential backoff'),
    rateLimits: z.record(idName, rateLimitSchema).optional(),
    writeBuffer: z
      .strictObject({ maxMessages: quantity({ min: 1 }), maxDelay: durationSchema })
      .optional()
      .describe('Group commit: flush after maxMessages or maxDelay'),
    timeouts: z.record(idName, durationSchema).optional(),
  })
  .describe('Retention, retries, rate limits, buffering');

export const broadcastSchema = z
  .strictObject({
    devices: quantity(),
    leadsPerDevice: quantity(),
    messagesPerLead: quantity(),
    sendDelaySeconds: quantity().describe(
      'Delay between two sends of one device; a range is per-message variation (the model uses its mean)',
    ),
    enrollmentWindow: durationSchema.describe('Time in which enrollment creates all records'),
    pollInterval: durationSchema.optional().describe('How often each device polls the database'),
    staggeredEnrollment: z.strictObject({ batchLeads: quantity(), batchInterval: durationSchema }).optional(),
    enrollmentRateLimitPerSecond: quantity()
      .optional()
      .describe('Leads enrolled per second under a rate limiter'),
    sequenceLinkingMultiplier: quantity()
      .optional()
      .describe('Records multiply when sequences link (e.g. 3)'),
  })
  .describe('Multi-device broadcast: devices sending scheduled messages to leads');

export const phaseSchema = z.strictObject({
  name: idName,
  description: z.string().optional(),
  set: z
    .record(z.string(), z.unknown())
    .describe('Input overrides for this phase, as with --set (path: value)'),
  metrics: z.array(metricRef).min(1).describe('Metrics to report for this phase'),
});

export const expectSchema = z.strictObject({
  id: z.string().optional().describe('Stable check id; default `<metric>@<line>`'),
  metric: metricRef,
  expected: z.number().describe("The document's figure"),
  tolerance: z.number().min(0).optional().describe('Allowed relative difference (0.01 = 1 %); default 0.005'),
  source: z
    .string()
    .regex(/^[^:]+:\d+(-\d+)?$/, 'file:line, e.g. 000_e2ba6581a2b65330.txt:43')
    .describe('Document file and line the figure comes from'),
  comment: z.string().optional().describe('Where the document rounds or is inconsistent, say so here'),
});

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and -'),
    title: z.string().optional(),
    description: z.string().optional().describe('One line, shown by `capsim scenarios`'),
    source: z.string().optional().describe('File name of the source document'),
    extends: z.string().optional().describe('Bundled scenario name or relative path this scenario changes'),
    workload: workloadSchema,
    current: currentSchema.optional(),
    components: z.record(idName, componentSchema).optional(),
    database: databaseSchema.optional(),
    storage: storageSchema.optional(),
    tiering: tieringSchema.optional(),
    caching: cachingSchema.optional(),
    bandwidth: bandwidthSchema.optional(),
    costs: costsSchema.optional(),
    slo: sloSchema.optional(),
    policies: policiesSchema.optional(),
    broadcast: broadcastSchema.optional(),
    phases: z.array(phaseSchema).optional().describe('Scaling phases: the model re-evaluated with overrides'),
    summary: z
      .array(metricRef)
      .optional()
      .describe('Headline metrics (sweeps and sensitivity default to these)'),
    pipeline: pipelineSchema.optional().describe('Discrete-event simulation stations and routes (model/sim)'),
    load: loadSchema.optional().describe('Load-test plan (loadgen)'),
    expect: z.array(expectSchema).optional().describe("Checks that reproduce the document's figures"),
  })
  .describe('A capsim scenario: one capacity review as inputs, formulas and checks');

export type Scenario = z.infer<typeof scenarioSchema>;
export type Workload = z.infer<typeof workloadSchema>;
export type Component = z.infer<typeof componentSchema>;
export type Duration = z.infer<typeof durationSchema>;
export type RetryPolicy = z.infer<typeof retryPolicySchema>;
export type RateLimit = z.infer<typeof rateLimitSchema>;
export type ExpectCheck = z.infer<typeof expectSchema>;
export type Slo = z.infer<typeof sloSchema>;
export type Phase = z.infer<typeof phaseSchema>;

/** Fields a scenario does not inherit through `extends:` (they describe one document, not a system). */
export const nonInheritedFields = ['name', 'title', 'description', 'source', 'expect', 'extends'] as const;
