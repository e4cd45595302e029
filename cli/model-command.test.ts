import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CapsimError, ExitCode } from '../common/errors.js';
import { runModelCommand, type ModelCommandOptions } from './model-command.js';
import { validateScenarioFile } from './validate-command.js';

const dir = mkdtempSync(join(tmpdir(), 'capsim-model-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const defaults: ModelCommandOptions = {
  json: true,
  set: [],
  metrics: [],
  sensitivity: [],
  check: true,
  seed: 1,
  samples: 200,
  formulas: false,
};

async function run(
  name: string,
  options: Partial<ModelCommandOptions> = {},
): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: string) => void lines.push(text));
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const code = await runModelCommand(name, { ...defaults, ...options });
  return { code, output: lines.join('\n') };
}

describe('capsim model', () => {
  it('prints the documented JSON shape and exits 0 when checks pass', async () => {
    const { code, output } = await run('broadcast-3000-devices');
    expect(code).toBe(ExitCode.ok);
    const result = JSON.parse(output);
    expect(result.scenario).toBe('broadcast-3000-devices');
    expect(result.metrics['broadcast.records']).toMatchObject({ value: 33e6, unit: 'records' });
    expect(typeof result.metrics['broadcast.records'].formula).toBe('string');
    expect(result.metrics['broadcast.sendsPerDevicePerHour'].p50).toBeGreaterThan(0);
    expect(Object.keys(result.checks[0]).sort()).toEqual([
      'actual',
      'expected',
      'id',
      'pass',
      'source',
      'tolerance',
    ]);
  });

  it('exits 1 with --check when a check fails, 0 without --check', async () => {
    const file = join(dir, 'failing.yaml');
    writeFileSync(
      file,
      'name: failing\nworkload: { messagesPerSecond: 1 }\nexpect:\n  - { metric: messages.perDay.avg, expected: 1, source: "doc.txt:1" }\n',
    );
    expect((await run(file)).code).toBe(ExitCode.checkFailed);
    expect((await run(file, { check: false })).code).toBe(ExitCode.ok);
  });

  it('applies --set and --sweep', async () => {
    const { output } = await run('whatsapp-agent-backend', {
      set: ['workload.peakFactor=4'],
      sweep: 'components.gateway.capacityPerUnit=10000..50000:3',
      metrics: ['components.gateway.unitsRequired'],
      samples: 0,
    });
    const result = JSON.parse(output);
    expect(result.metrics['messages.perSecond.peak'].value).toBeCloseTo(4 * 86_805.56, 0);
    expect(
      result.sweep.rows.map(
        (row: { metrics: Record<string, number> }) => row.metrics['components.gateway.unitsRequired'],
      ),
    ).toEqual([5000, 1667, 1000]);
    expect(result.sensitivity[0].metric).toBe('messages.perSecond.peak');
  });

  it('ranks inputs by their effect (tornado)', async () => {
    const { output } = await run('whatsapp-agent-backend', {
      sensitivity: ['database.opsPerSecond'],
      samples: 0,
    });
    const [ranking] = JSON.parse(output).sensitivity;
    // The only range is messages per user per day (10-20); sends and receives name it, so it moves DB ops by
    // 500M × 10 × (1 write + 2 reads) / 86,400 ≈ 173,611 ops/s.
    expect(ranking.inputs.map((input: { input: string }) => input.input)).toEqual([
      'workload.messagesPerUserPerDay',
    ]);
    expect(ranking.inputs[0].swing).toBeCloseTo(173_611.1, 0);
  });

  it('rejects bad input with exit code 2 and locates unknown metrics in the file', async () => {
    const file = join(dir, 'unknown-metric.yaml');
    writeFileSync(
      file,
      'name: unknown-metric\nworkload: { messagesPerSecond: 1 }\ncomponents:\n  x: { demand: messages.perSecnd.avg, capacityPerUnit: 1 }\n',
    );
    const error = await run(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CapsimError);
    expect((error as CapsimError).exitCode).toBe(ExitCode.badInput);
    expect((error as CapsimError).problems[0]).toMatchObject({ path: 'components.x.demand', line: 4 });
    await expect(run('whatsapp-agent-backend', { sweep: 'workload.peakFactor' })).rejects.toMatchObject({
      code: 'E_BAD_SWEEP',
      exitCode: 2,
    });
    await expect(run('whatsapp-agent-backend', { sweep: 'workload.nothing=1..2:2' })).rejects.toMatchObject({
      code: 'E_BAD_INPUT_PATH',
    });
  });
});

describe('capsim validate', () => {
  it('accepts a bundled scenario and rejects an invalid one', async () => {
    expect(await validateScenarioFile('chat-microservices')).toMatch(
      /^ok: chat-microservices is a valid scenario/,
    );
    const file = join(dir, 'invalid.yaml');
    writeFileSync(file, 'name: invalid\nworkload: { peakFactor: 0 }\n');
    await expect(validateScenarioFile(file)).rejects.toMatchObject({ code: 'E_SCHEMA' });
  });
});
