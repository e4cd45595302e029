/**
 * The versioned results document of `capsim loadtest` (`--out results.json`). This zod schema is
 * the source of truth; loadgen/outputs/loadtest-result.schema.json is generated from it
 * (`npx tsx loadgen/outputs/write-schema.ts`) and a test keeps the two equal.
 * Version policy: additive fields keep `version`; renames/removals raise it.
 */
import { z } from 'zod';

export const LOADTEST_RESULT_VERSION = 1;

const latencySummary = z.object({
  count: z.number(),
  minMs: z.number(),
  meanMs: z.number(),
  p50Ms: z.number(),
  p90Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  p999Ms: z.number(),
  maxMs: z.number(),
});

const encodedHistogram = z
  .object({ unit: z.literal('us'), negativeSamples: z.number(), hdr: z.string() })
  .describe('HdrHistogram V2 compressed base64; values in microseconds; merge by adding');

const secondStats = z.object({
  second: z.number(),
  sent: z.number(),
  acked: z.number(),
  delivered: z.number(),
  errors: z.number(),
  connects: z.number(),
  connectErrors: z.number(),
  disconnects: z.number(),
  openConnections: z.number(),
  targetConnections: z.number(),
  targetMessagesPerSecond: z.number(),
  generatorCpuCores: z.number(),
});

const checkerCounts = z.object({
  expectedDeliveries: z.number(),
  deliveredExpected: z.number(),
  deliveries: z.number(),
  lost: z.number(),
  duplicated: z.number(),
  redelivered: z.number(),
  outOfOrder: z.number(),
  seqGaps: z.number(),
  unackedDelivered: z.number(),
});

const verdict = z.object({
  threshold: z.string(),
  metric: z.string(),
  aggregate: z.string(),
  operator: z.enum(['<', '<=', '>', '>=', '==', '!=']),
  limit: z.number(),
  observed: z.number().nullable(),
  passed: z.boolean(),
});

const httpResult = z.object({
  name: z.string(),
  endpoint: z.string(),
  requests: z.number(),
  errors: z.number(),
  non2xx: z.number(),
  requestsPerSecond: z.number(),
  latency: latencySummary,
  histogram: encodedHistogram,
});

const workerInfo = z.object({
  index: z.number(),
  host: z.string(),
  pid: z.number(),
  users: z.number(),
  /** Worker clock minus coordinator clock, and the bound on that estimate (half the best round trip). */
  clockOffsetMs: z.number().nullable(),
  clockErrorMs: z.number().nullable(),
  cpuShareOfOneCore: z.number(),
  eventLoopDelayP99Ms: z.number(),
  /** Emit time − intended time of the worker's scheduled messages: how far the generator fell behind. */
  scheduleLagP95Ms: z.number().optional(),
  scheduleLagP99Ms: z.number().optional(),
  scheduleLagMaxMs: z.number().optional(),
});

export const loadTestResultSchema = z
  .object({
    schema: z.literal('capsim.loadtest'),
    version: z.literal(LOADTEST_RESULT_VERSION),
    runId: z.string(),
    scenario: z.object({ name: z.string(), load: z.record(z.string(), z.unknown()) }),
    target: z.string(),
    slice: z.object({ index: z.number(), count: z.number() }).nullable(),
    step: z.object({ index: z.number(), messageRateFactor: z.number() }).nullable().optional(),
    startedAt: z.string(),
    durationMs: z.number(),
    drainMs: z.number(),
    environment: z.object({
      capsimVersion: z.string(),
      node: z.string(),
      platform: z.string(),
      arch: z.string(),
      hostname: z.string(),
      cpus: z.number(),
      cpuModel: z.string(),
      totalMemoryBytes: z.number(),
      adapter: z.string(),
      sourceAddresses: z.array(z.string()),
      workers: z.array(workerInfo),
    }),
    summary: z.object({
      users: z.number(),
      connections: z.object({
        attempts: z.number(),
        errors: z.number(),
        reconnects: z.number(),
        maxOpen: z.number(),
        target: z.number(),
      }),
      messages: z.object({
        scheduled: z.number(),
        sent: z.number(),
        resent: z.number(),
        acked: z.number(),
        unacked: z.number(),
        sendErrors: z.number(),
        retries: z.number(),
        deliveries: z.number(),
      }),
      throughput: z.object({
        sentPerSecond: z.number(),
        ackedPerSecond: z.number(),
        deliveredPerSecond: z.number(),
      }),
      errorsByCode: z.record(z.string(), z.number()),
      closesByCode: z.record(z.string(), z.number()),
    }),
    latency: z
      .object({
        connect: latencySummary,
        ack: latencySummary,
        delivery: latencySummary,
        inbox: latencySummary.optional(),
      })
      .describe(
        'ms from the intended send time; delivery = live deliveries to online recipients, inbox = replays after reconnect',
      ),
    histograms: z.object({
      connect: encodedHistogram,
      ack: encodedHistogram,
      delivery: encodedHistogram,
      inbox: encodedHistogram.optional(),
    }),
    checker: checkerCounts,
    checkerSamples: z
      .array(
        z.object({
          kind: z.enum(['lost', 'duplicated', 'out_of_order']),
          recipient: z.string(),
          conversationId: z.string(),
          seq: z.number(),
          connectionId: z.number().optional(),
          firstConnectionId: z.number().optional(),
          highestSeq: z.number().optional(),
        }),
      )
      .optional()
      .describe('The first few faulty deliveries of each kind per worker, to trace a failure'),
    timeSeries: z.array(secondStats),
    generator: z.object({
      /** Mean CPU of all workers as a share of the cores they had (1 = every core busy). */
      cpuShare: z.number(),
      /** Highest single-worker CPU share of one core: near 1 means that worker was saturated. */
      maxWorkerCpuShare: z.number(),
      saturated: z.boolean(),
      note: z.string(),
    }),
    server: z
      .object({
        url: z.string(),
        samples: z.array(z.object({ second: z.number(), values: z.record(z.string(), z.number()) })),
      })
      .nullable(),
    http: z.array(httpResult),
    thresholds: z.array(verdict),
    passed: z.boolean(),
  })
  .describe('capsim load-test results');

export type LoadTestResult = z.infer<typeof loadTestResultSchema>;
export type HttpPhaseResult = z.infer<typeof httpResult>;
export type WorkerInfo = z.infer<typeof workerInfo>;
