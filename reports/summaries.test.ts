import { describe, expect, it } from 'vitest';
import { sampleReportInput } from './fixtures/sample-input.js';
import { buildJunit } from './junit.js';
import { buildMarkdown } from './markdown.js';

describe('Markdown summary', () => {
  it('states the verdict and one table row per dimension with required, measured, ratio and status', () => {
    const markdown = buildMarkdown(sampleReportInput(10));
    expect(markdown).toContain('## capsim: whatsapp-agent-backend — 🟢 **READY**');
    expect(markdown).toContain(
      '| Connections per instance | 10,000 connections | 10,000 connections | 1× | ✅ OK |',
    );
    expect(markdown).toContain('| Delivery latency p95 | 100 ms | 28.4 ms | 0.284× | ✅ OK |');
    expect(markdown).toContain('measured 18,500 → 2,703 instances, $675,750/month');
    expect(markdown).toContain('| `lost == 0` | slice 1/5000 | 0 | ✅ OK |');
  });

  it('lists what failed and escapes table pipes', () => {
    const input = sampleReportInput(10);
    input.requirements![0].measured = 4000;
    input.requirements![0].dimension = 'a|b';
    const markdown = buildMarkdown(input);
    expect(markdown).toContain('🔴 **NOT READY**');
    expect(markdown).toContain('- ✗ a\\|b: required 10,000 connections, measured 4,000 connections');
  });
});

describe('JUnit XML', () => {
  it('has one test case per requirement, threshold, simulated SLO and model check, with failures counted', () => {
    const input = sampleReportInput(10);
    input.loadTests![0].thresholds[0].pass = false;
    input.requirements![2].measured = undefined;
    const xml = buildJunit(input);
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="capsim.whatsapp-agent-backend" tests="12" failures="1" errors="0" skipped="1">/,
    );
    expect((xml.match(/<testcase /g) ?? []).length).toBe(8 + 2 + 1 + 1);
    expect(xml).toContain(
      '<testcase classname="capsim.whatsapp-agent-backend.thresholds: slice 1/5000" name="delivery_latency: p95 &lt; 100ms" time="0">',
    );
    expect(xml).toContain(
      '<failure message="delivery_latency: p95 &lt; 100ms (actual 28.4 ms)" type="capacity"/>',
    );
    expect(xml).toContain('<skipped message="required &lt;= 200 ms, measured —"/>');
  });
});
