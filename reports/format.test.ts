import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatBytes,
  formatNumber,
  formatRatio,
  formatRatioCell,
  formatValue,
} from './format.js';

describe('format', () => {
  it('formats numbers the way the documents write them', () => {
    expect(formatNumber(5000)).toBe('5,000');
    expect(formatNumber(260416.67)).toBe('260,417');
    expect(formatNumber(28.44)).toBe('28.4');
    expect(formatNumber(0.125)).toBe('0.125');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(undefined)).toBe('—');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatNumber(0.00001)).toBe('1.00e-5');
  });

  it('formats values with units, money and ratios', () => {
    expect(formatValue(100, 'ms')).toBe('100 ms');
    expect(formatValue(590000, 'USD/month')).toBe('$590,000/month');
    expect(formatValue(42, '%')).toBe('42%');
    expect(formatRatio(52)).toBe('52×');
    expect(formatRatio(1.0269)).toBe('1.03×');
    expect(formatRatio(undefined)).toBe('—');
    expect(formatBytes(3 * 2 ** 20)).toBe('3.0 MiB');
  });

  it('escapes HTML', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('formatRatioCell', () => {
  it('adds the shortfall the documents quote when a dimension falls short', () => {
    expect(formatRatioCell({ ratio: 1 / 52, direction: 'atLeast', status: 'fail' })).toBe(
      '0.019× (52× short)',
    );
    expect(formatRatioCell({ ratio: 0.97, direction: 'atLeast', status: 'pass' })).toBe('0.97×');
    expect(formatRatioCell({ ratio: 1.5, direction: 'atLeast', status: 'pass' })).toBe('1.5×');
    expect(formatRatioCell({ ratio: 0.3, direction: 'atMost', status: 'pass' })).toBe('0.3×');
  });
});
