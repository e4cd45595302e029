import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sampleReportInput } from './fixtures/sample-input.js';
import type { RequirementRow } from './inputs.js';
import { evaluateRow, summarizeVerdict } from './verdict.js';

const row = (overrides: Partial<RequirementRow>): RequirementRow => ({
  id: 'x',
  dimension: 'X',
  unit: 'msg/s',
  required: 100,
  direction: 'atLeast',
  ...overrides,
});

describe('evaluateRow', () => {
  it('atLeast passes at or above the requirement, atMost at or below it', () => {
    expect(evaluateRow(row({ measured: 100 })).status).toBe('pass');
    expect(evaluateRow(row({ measured: 99 })).status).toBe('fail');
    expect(evaluateRow(row({ direction: 'atMost', measured: 100 })).status).toBe('pass');
    expect(evaluateRow(row({ direction: 'atMost', measured: 101 })).status).toBe('fail');
  });

  it('ratio is measured ÷ required, absent when required is 0 or nothing was measured', () => {
    expect(evaluateRow(row({ measured: 52 })).ratio).toBeCloseTo(0.52);
    expect(evaluateRow(row({ required: 0, direction: 'atMost', measured: 0 })).ratio).toBeUndefined();
    expect(evaluateRow(row({})).status).toBe('not measured');
    expect(evaluateRow(row({ measured: Number.NaN })).status).toBe('not measured');
  });

  it('status agrees with the ratio for any positive requirement (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        (required, measured) => {
          const evaluated = evaluateRow(row({ required, measured }));
          expect(evaluated.status === 'pass').toBe(measured >= required);
        },
      ),
    );
  });
});

describe('summarizeVerdict', () => {
  it('is ready when every row, threshold and the simulated SLO pass', () => {
    const summary = summarizeVerdict(sampleReportInput(10));
    expect(summary.verdict).toBe('ready');
    expect(summary.failures).toEqual([]);
    expect(summary.passedCount).toBe(8 + 2 + 1);
  });

  it('is not ready when one dimension, threshold or SLO fails, and says which', () => {
    const input = sampleReportInput(10);
    input.requirements![1].measured = 100;
    const summary = summarizeVerdict(input);
    expect(summary.verdict).toBe('not ready');
    expect(summary.failures).toEqual([
      'Messages/s at peak (per instance): required 520 msg/s, measured 100 msg/s',
    ]);

    const threshold = sampleReportInput(10);
    threshold.loadTests![0].thresholds[1].pass = false;
    expect(summarizeVerdict(threshold).failures).toEqual(['threshold lost == 0 failed (slice 1/5000)']);

    const slo = sampleReportInput(10);
    slo.simulation!.slo!.pass = false;
    expect(summarizeVerdict(slo).verdict).toBe('not ready');
  });

  it('says "not measured" for a model-only report', () => {
    expect(summarizeVerdict({ scenario: { name: 'x' }, model: { metrics: {}, checks: [] } }).verdict).toBe(
      'not measured',
    );
  });
});
