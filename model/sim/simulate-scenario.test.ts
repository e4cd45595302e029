import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.js';
import { simulateScenario } from './simulate-scenario.js';
import { closeWorkerPool } from './worker-pool.js';
import { CapsimError } from '../../common/errors.js';

afterAll(closeWorkerPool);

/** Short runs: long enough for the utilization CIs, short enough for the test budget. */
const bundled: [string, number][] = [
  ['whatsapp-agent-backend', 10],
  ['chat-1b-users', 1.5],
  ['agent-backend-nfr', 40],
  ['broadcast-3000-devices', 60],
  ['chat-microservices', 3],
];

describe('simulateScenario on the bundled scenarios', () => {
  it.each(bundled)(
    '%s: utilizations match the analytic model at its offered load; slice and SLO verdict reported',
    async (name, durationS) => {
      const scenario = await loadScenario(name);
      const result = await simulateScenario(scenario, { durationS, replications: 3, seed: 3 });
      expect(result.slice.factor).toBeGreaterThanOrEqual(1);
      expect(result.slice.unit.length).toBeGreaterThan(0);
      const compared = result.stations.filter(
        (station) => station.analyticUtilization !== null && !station.analyticApproximate,
      );
      expect(compared.length).toBeGreaterThan(0);
      for (const station of compared) {
        expect({ station: station.name, consistent: station.utilizationConsistent }).toEqual({
          station: station.name,
          consistent: true,
        });
      }
      for (const station of result.stations) {
        expect(station.sojourn.p50Ms.mean).toBeLessThanOrEqual(station.sojourn.p99Ms.mean + 1e-9);
        expect(station.backlog.jobs.length).toBe(station.backlog.timesS.length);
      }
      if (scenario.slo?.deliveryLatencyMs !== undefined) {
        expect(result.slo.checks.length).toBeGreaterThan(0);
        expect(['pass', 'fail']).toContain(result.slo.verdict);
      }
    },
  );

  it('judges the 001 SLO (p95 < 100 ms) and finds 002 failing its p99 during the reconnect storm', async () => {
    const chat = await simulateScenario(await loadScenario('chat-1b-users'), {
      durationS: 1,
      replications: 2,
      seed: 1,
    });
    const p95 = chat.slo.checks.find(
      (check) => check.objective === 'deliveryLatencyMs' && check.percentile === 'p95',
    );
    expect(p95?.targetMs).toBe(100);
    expect(chat.slo.verdict).toBe('pass');
    const nfr = await simulateScenario(await loadScenario('agent-backend-nfr'), {
      durationS: 40,
      replications: 2,
      seed: 1,
    });
    expect(
      nfr.sources.find((source) => source.name === 'reconnect-gateway')?.completedPerSecond.mean,
    ).toBeGreaterThan(0);
    expect(nfr.slo.verdict).toBe('fail');
  });

  it('is deterministic: the same seed gives identical JSON, another seed different samples', async () => {
    const scenario = await loadScenario('chat-microservices');
    const first = await simulateScenario(scenario, { durationS: 1, replications: 2, seed: 42 });
    const again = await simulateScenario(scenario, { durationS: 1, replications: 2, seed: 42, threads: 1 });
    const other = await simulateScenario(scenario, { durationS: 1, replications: 2, seed: 43 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(other.sinks[0].perSecond.mean).not.toBe(first.sinks[0].perSecond.mean);
    expect(other.stations[0].utilization.mean).not.toBe(first.stations[0].utilization.mean);
  });

  it('reports pipeline mistakes with their field path', async () => {
    const scenario = await loadScenario('chat-microservices');
    const broken = structuredClone(scenario);
    broken.pipeline!.stations[0].to = 'nowhere';
    broken.pipeline!.sources[0] = {
      name: 'messages',
      type: 'open',
      rate: { metric: 'no.such.metric' },
      to: 'apiGateway',
    };
    const error = await simulateScenario(broken, { durationS: 1, replications: 2 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CapsimError);
    const paths = (error as CapsimError).problems.map((problem) => problem.path);
    expect(paths).toContain('pipeline.stations.0');
    expect(paths).toContain('pipeline.sources.0.rate.metric');
    const none = structuredClone(scenario);
    delete none.pipeline;
    await expect(simulateScenario(none)).rejects.toThrow(/no pipeline/);
  });
});
