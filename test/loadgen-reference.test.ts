// The load generator against the real reference server (embedded mode): a bundled scenario, shortened,
// must finish with every ACKed message delivered exactly once and in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoadTest } from '../loadgen/index.js';
import { loadScenario } from '../scenarios/load.js';
import { startServer, type RunningServer } from '../reference-server/index.js';

let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'capsim-loadgen-'));
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir, profile: 'loadtest' });
});

afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('loadtest against the reference server', () => {
  it('agent-backend-nfr (offline users, groups, receipts) loses, duplicates and reorders nothing', async () => {
    const scenario = await loadScenario('agent-backend-nfr');
    const result = await runLoadTest(scenario, {
      target: server.wsUrl,
      durationMs: 4000,
      users: 40,
      workers: 1,
    });
    expect(result.summary.messages.acked).toBeGreaterThan(20);
    expect(result.summary.connections.maxOpen).toBeGreaterThan(0);
    const trace = JSON.stringify({
      checker: result.checker,
      samples: result.checkerSamples,
      closes: result.summary.closesByCode,
      errors: result.summary.errorsByCode,
    });
    expect(result.checker, trace).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    // A seq the server assigned to a message whose ACK had not arrived by the end leaves a gap.
    expect(result.checker.seqGaps, trace).toBeLessThanOrEqual(result.summary.messages.unacked);
    expect(result.checker.deliveredExpected).toBe(result.checker.expectedDeliveries);
    expect(result.server).not.toBeNull();
  });
});
