/**
 * The adapters from the stages' real results to the report: a recorded 10-second load test against
 * the embedded reference server (reports/fixtures/loadtest-result.json) and the bundled 000 scenario.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTestResultSchema, type LoadTestResult } from '../loadgen/outputs/result-schema.js';
import { evaluateModel } from '../model/evaluate.js';
import { applyOverrides, loadScenario } from '../scenarios/load.js';
import type { Scenario } from '../scenarios/schema.js';
import {
  adaptLoadTest,
  meanServerValue,
  peakWindow,
  serverMetricKeys,
  sustainedPerSecond,
} from './adapt-loadtest.js';
import { adaptModel, costBreakdownFromMetrics, shortfallRows, type ModelResultJson } from './adapt-model.js';
import { calibrateConnections, connectionComponent, measuredConnectionCapacity } from './calibrate.js';
import { classifyResult } from './read-results.js';
import { loadTestRequirementRows } from './requirements.js';
import { summarizeVerdict } from './verdict.js';

const fixture = new URL('./fixtures/loadtest-result.json', import.meta.url);
const result: LoadTestResult = loadTestResultSchema.parse(JSON.parse(readFileSync(fixture, 'utf8')));

let scenario: Scenario;
let model: ModelResultJson;
beforeAll(async () => {
  scenario = await loadScenario('whatsapp-agent-backend');
  model = evaluateModel(scenario, { samples: 0, sensitivity: false });
});

describe('load-test adapter', () => {
  it('maps counts, time series, thresholds and server samples', () => {
    const test = adaptLoadTest(result);
    expect(test.counts).toEqual({
      sent: result.summary.messages.sent,
      acked: result.summary.messages.acked,
      delivered: result.checker.deliveries,
      lost: result.checker.lost,
      duplicated: result.checker.duplicated,
      outOfOrder: result.checker.outOfOrder,
    });
    expect(test.samples).toHaveLength(result.timeSeries.length);
    expect(test.samples[2].ackedPerSecond).toBe(result.timeSeries[2].acked);
    expect(test.thresholds.map((t) => t.expression)).toEqual(result.thresholds.map((t) => t.threshold));
    expect(test.deliveryLatencyMs?.p99).toBe(result.latency.delivery.p99Ms);
    const sample = result.server!.samples.at(-1)!;
    expect(test.server!.at(-1)!.rssBytes).toBe(sample.values.process_resident_memory_bytes);
    expect(test.server!.at(-1)!.cpuPercent).toBeCloseTo(sample.values.server_cpu_cores * 100);
  });

  it('the peak window covers the seconds near the highest target, and the sustained rate is their mean', () => {
    const peak = Math.max(...result.timeSeries.map((row) => row.targetMessagesPerSecond));
    const window = peakWindow(result);
    expect(window.seconds.length).toBeGreaterThan(0);
    const rows = result.timeSeries.filter((row) => window.seconds.includes(row.second));
    for (const row of rows) expect(row.targetMessagesPerSecond).toBeGreaterThanOrEqual(peak * 0.9);
    expect(window.fromSecond).toBe(Math.min(...window.seconds));
    expect(window.toSecond).toBe(Math.max(...window.seconds));
    expect(sustainedPerSecond(result, 'acked').value).toBeCloseTo(
      rows.reduce((sum, row) => sum + row.acked, 0) / rows.length,
    );
  });
});

describe('server series over the peak window', () => {
  it('leaves out a scrape whose interval reaches back into the ramp-up', () => {
    // 20 msg/s until second 4, then a 100 msg/s plateau to second 15; scrapes at odd seconds, each
    // the mean rate of the two seconds before it. The peak window is seconds 5–14 (its first and last
    // plateau seconds trimmed); the scrape at second 5 covers seconds 3–4 (half ramp: 60 msg/s).
    const key = serverMetricKeys.messagesAcceptedPerSecond;
    const target = (second: number) => (second < 4 ? 20 : second < 16 ? 100 : 0);
    const timeSeries = Array.from({ length: 18 }, (_, second) => ({
      ...result.timeSeries[0],
      second,
      targetMessagesPerSecond: target(second),
    }));
    const samples = Array.from({ length: 9 }, (_, i) => {
      const second = 2 * i + 1;
      return { second, values: { [key]: (target(second - 2) + target(second - 1)) / 2 } };
    });
    const ramped = { ...result, timeSeries, server: { url: 'http://x', samples } };
    expect(peakWindow(ramped)).toMatchObject({ fromSecond: 5, toSecond: 14 });
    expect(meanServerValue(ramped, key)).toBe(100);
  });
});

describe('required vs measured rows of a load test', () => {
  it('take the plan for connections and rate, the scenario SLO for latency, and the checker for loss', () => {
    const rows = loadTestRequirementRows(result, { scenario, modelMetrics: model.metrics });
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
    expect(byId['connections.perInstance']).toMatchObject({
      required: result.summary.connections.target,
      measured: result.summary.connections.maxOpen,
    });
    expect(byId['messages.perSecond.peak'].required).toBe(
      Math.max(...result.timeSeries.map((row) => row.targetMessagesPerSecond)),
    );
    // 000's SLO: ACK p99 < 100 ms, delivery p99 < 500 ms (from the 002 review).
    expect(byId['latency.ack.p99']).toMatchObject({
      required: 100,
      measured: result.latency.ack.p99Ms,
      direction: 'atMost',
    });
    expect(byId['latency.delivery.p99']).toMatchObject({
      required: 500,
      measured: result.latency.delivery.p99Ms,
    });
    expect(byId['messages.lost']).toMatchObject({ required: 0, measured: result.checker.lost });
    expect(byId['storage.writesPerSecond'].measuredFrom).toContain('capsim_messages_accepted_total');
    // DB budget per message is the model's database.opsPerSecond ÷ messages.perSecond.avg.
    const perMessage =
      model.metrics['database.opsPerSecond'].value / model.metrics['messages.perSecond.avg'].value;
    expect(byId['database.opsPerSecond'].required).toBeCloseTo(
      byId['messages.perSecond.peak'].required * perMessage,
    );
  });

  it('a model-only report reproduces the document gap table (000: 52× and 156× throughput, 14× DB ops)', () => {
    const rows = shortfallRows(model.metrics);
    const ratio = (id: string) => {
      const row = rows.find((candidate) => candidate.id === id)!;
      return row.required / row.measured!;
    };
    expect(ratio('messages.shortfall.avg')).toBeCloseTo(52.08, 1);
    expect(ratio('messages.shortfall.peak')).toBeCloseTo(156.25, 1);
    expect(ratio('components.mongoOps.shortfall')).toBeCloseTo(14.08, 1);
    const summary = summarizeVerdict({ scenario: { name: 'x' }, requirements: rows });
    expect(summary.verdict).toBe('not ready');
    expect(rows.every((row) => row.basis === 'current')).toBe(true);
  });
});

describe('calibration', () => {
  it('substitutes the measured capacity into the model and reports its fleet (re-evaluated, not recomputed here)', () => {
    const overrides: string[][] = [];
    const row = calibrateConnections(scenario, result, model, (set) => {
      overrides.push(set);
      return evaluateModel(applyOverrides(scenario, set), { samples: 0, sensitivity: false });
    })!;
    expect(connectionComponent(scenario)).toBe('gateway');
    const measured = measuredConnectionCapacity(scenario, 'gateway', result, model)!;
    expect(overrides).toEqual([[`components.gateway.capacityPerUnit=${measured.connectionsPerInstance}`]]);
    expect(row.assumedPerInstance).toBe(10_000);
    expect(row.assumedInstances).toBe(5_000);
    expect(row.measuredPerInstance).toBe(measured.connectionsPerInstance);
    expect(row.measuredInstances).toBe(Math.ceil(50e6 / measured.connectionsPerInstance));
    expect(row.formulas!.join('\n')).toContain('memory bound');
    // The recorded run held ~100 connections: the report says the figure is an estimate.
    expect(row.caveat).toContain(`holding only ${result.summary.connections.maxOpen} connections`);
  });

  it('is skipped when the server exposed no figures to estimate capacity from', () => {
    const bare = { ...result, server: null };
    expect(calibrateConnections(scenario, bare, model, () => model)).toBeUndefined();
  });
});

describe('model adapter and results classification', () => {
  it('collects the cost line items the model sums', async () => {
    const chat = evaluateModel(await loadScenario('chat-1b-users'), { samples: 0, sensitivity: false });
    const items = costBreakdownFromMetrics(chat.metrics);
    const total = chat.metrics['costs.totalPerMonthUSD'].value;
    expect(items.reduce((sum, item) => sum + item.monthlyCostUsd, 0)).toBeCloseTo(total);
    expect(adaptModel(chat).costBreakdown).toEqual(items);
  });

  it('tells load-test, model and simulation results apart and rejects anything else with E_BAD_RESULTS', () => {
    expect(classifyResult(result, 'a.json').kind).toBe('loadtest');
    expect(classifyResult(model, 'm.json').kind).toBe('model');
    expect(
      classifyResult({ stations: [], slice: { factor: 1 }, slo: { verdict: 'none' } }, 's.json').kind,
    ).toBe('simulation');
    expect(() => classifyResult({ hello: 1 }, 'x.json')).toThrow(
      expect.objectContaining({ code: 'E_BAD_RESULTS' }),
    );
    expect(() => classifyResult({ ...result, version: 99 }, 'v.json')).toThrow(/do not match their schema/);
  });
});

describe('find-capacity results', () => {
  const step = (index: number, passed: boolean, offered: number) => ({
    step: index + 1,
    messageRateFactor: 2 ** index,
    users: 100,
    offeredMessagesPerSecond: offered,
    ackedMessagesPerSecond: passed ? offered : offered * 0.6,
    maxOpenConnections: 100,
    ackP99Ms: passed ? 20 : 900,
    deliveryP99Ms: passed ? 30 : 1200,
    lost: 0,
    generatorCpuShare: 0.2,
    passed,
    failed: passed ? [] : ['ack_latency: p99 < 100ms'],
  });
  const capacityJson = {
    schema: 'capsim.capacity',
    version: 1,
    mode: 'messages',
    steps: [step(0, true, 50), step(1, true, 100), step(2, false, 200)],
    maxSustainableMessagesPerSecond: 100,
    maxSustainableConnections: 100,
    limitedByGenerator: false,
    results: [result, { ...result, runId: 'step2' }, { ...result, runId: 'step3' }],
  };

  it('reads the document, keeps the steps and picks the last passing step as the capacity run', async () => {
    const { adaptCapacity, capacityRun } = await import('./adapt-capacity.js');
    const parsed = classifyResult(capacityJson, 'c.json');
    expect(parsed.kind).toBe('capacity');
    if (parsed.kind !== 'capacity') return;
    expect(capacityRun(parsed.capacity)?.runId).toBe('step2');
    const view = adaptCapacity(parsed.capacity);
    expect(view.steps.map((s) => s.pass)).toEqual([true, true, false]);
    expect(view.steps[2].failed).toEqual(['ack_latency: p99 < 100ms']);
  });

  it('turns the sustained rate into connections per instance with the document’s messages per connection', async () => {
    const { capacityFromFindCapacity } = await import('./calibrate.js');
    const { adaptCapacity } = await import('./adapt-capacity.js');
    const parsed = classifyResult(capacityJson, 'c.json');
    if (parsed.kind !== 'capacity') throw new Error('not capacity');
    const measured = capacityFromFindCapacity(scenario, adaptCapacity(parsed.capacity), model)!;
    const perConnection = model.metrics['messages.perSecond.peak'].value / 50e6;
    expect(measured.connectionsPerInstance).toBe(Math.floor(100 / perConnection));
    const connections = capacityFromFindCapacity(
      scenario,
      { ...adaptCapacity(parsed.capacity), mode: 'connections', maxSustainableConnections: 12_000 },
      model,
    )!;
    expect(connections.connectionsPerInstance).toBe(12_000);
  });
});

describe('calibration skip reasons', () => {
  it('say what is missing', async () => {
    const { calibrationSkipReason } = await import('./calibrate.js');
    expect(calibrationSkipReason(scenario, { ...result, server: null })).toBe(
      "the server's /metrics were not scraped during the load test",
    );
    const micro = await loadScenario('chat-microservices');
    expect(calibrationSkipReason(micro, result)).toMatch(
      /^components\.\w+ gives no memoryGB or cpuCores per instance/,
    );
  });
});

describe('rate tolerance', () => {
  it('is two Poisson standard deviations of the window count, at least 5 %', async () => {
    const { poissonTolerance } = await import('./requirements.js');
    expect(poissonTolerance(100, 4)).toBeCloseTo(0.1); // 2 / √400
    expect(poissonTolerance(10_000, 60)).toBe(0.05);
    expect(poissonTolerance(0, 10)).toBe(0.05);
  });
});

describe('simulation adapter', () => {
  it('keeps replication means, confidence intervals, the backlog series and the SLO verdict', async () => {
    const { adaptSimulation } = await import('./adapt-simulation.js');
    const fixtureFile = new URL('./fixtures/simulation-result.json', import.meta.url);
    const simulation = JSON.parse(
      readFileSync(fixtureFile, 'utf8'),
    ) as import('../model/sim/simulate-scenario.js').SimulationResult;
    const view = adaptSimulation(simulation);
    expect(view.stations.map((station) => station.name)).toEqual(
      simulation.stations.map((station) => station.name),
    );
    const [first] = simulation.stations;
    expect(view.stations[0]).toMatchObject({
      utilization: first.utilization.mean,
      utilizationCi: [first.utilization.ciLow, first.utilization.ciHigh],
      queueLengthMax: first.maxQueueLength,
    });
    expect(view.stations[0].backlog).toHaveLength(first.backlog.timesS.length);
    expect(view.slo?.pass).toBe(simulation.slo.verdict === 'pass');
    expect(view.slo?.description).toContain(simulation.slo.checks[0].objective);
    expect(view.sliceFactor).toBe(simulation.slice.factor);
  });
});
