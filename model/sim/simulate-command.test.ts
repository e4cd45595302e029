import { afterEach, describe, expect, it, vi } from 'vitest';
import { runSimulateCommand } from './simulate-command.js';
import { parseDurationSeconds } from '../../cli/commands/simulate.js';
import { CapsimError } from '../../common/errors.js';

afterEach(() => vi.restoreAllMocks());

async function captureJson(seed: number): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const code = await runSimulateCommand('chat-microservices', {
    json: true,
    durationS: 1,
    seed,
    replications: 2,
    threads: 1,
  });
  vi.restoreAllMocks();
  return { code, output: lines.join('\n') };
}

describe('capsim simulate', () => {
  it('prints identical JSON for the same seed and different samples for another', async () => {
    const first = await captureJson(9);
    const second = await captureJson(9);
    const other = await captureJson(10);
    expect(first.code).toBe(0);
    expect(second.output).toBe(first.output);
    expect(other.output).not.toBe(first.output);
    const parsed = JSON.parse(first.output) as {
      scenario: string;
      slice: { factor: number };
      stations: unknown[];
    };
    expect(parsed.scenario).toBe('chat-microservices');
    expect(parsed.slice.factor).toBe(10);
    expect(parsed.stations.length).toBeGreaterThan(0);
  });

  it('parses --duration with units and rejects nonsense as bad input', () => {
    expect(parseDurationSeconds('60s')).toBe(60);
    expect(parseDurationSeconds('500ms')).toBe(0.5);
    expect(parseDurationSeconds('5m')).toBe(300);
    expect(parseDurationSeconds('2')).toBe(2);
    expect(() => parseDurationSeconds('soon')).toThrow(CapsimError);
    expect(() => parseDurationSeconds('0s')).toThrow(CapsimError);
  });
});
