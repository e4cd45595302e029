import { describe, expect, it } from 'vitest';
import { buildReport, buildReportHtml } from './build.js';
import { sampleReportInput } from './fixtures/sample-input.js';
import { jsonSafe, scriptSafe } from './html.js';

describe('buildReport (HTML)', () => {
  it('is one self-contained file: vega, vega-lite and vega-embed inlined, nothing fetched from the network', async () => {
    const html = await buildReport(sampleReportInput(20));
    for (const lib of ['vega', 'vega-lite', 'vega-embed'])
      expect(html).toContain(`<script data-lib="${lib}">`);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html.length).toBeLessThan(2 * 1024 * 1024);
  });

  it('shows the verdict and the required-vs-measured rows with their values and formulas', async () => {
    const input = sampleReportInput(20);
    input.requirements![3].measured = 140;
    const html = await buildReport(input, { svgFallback: false });
    expect(html).toContain('data-verdict="not ready"');
    expect(html).toContain('<strong id="verdict">NOT READY</strong>');
    expect(html).toMatch(/<tr data-row-id="latency.delivery.p95" data-required="100" data-measured="140">/);
    expect(html).toContain('<td class="num" data-field="ratio">1.4×</td>');
    expect(html).toContain('Required (at most): slo.deliveryLatencyMs.p95');
    expect(html).toContain('Ratio = measured ÷ required = 140 ÷ 100 = 1.4×');
    expect(html).toContain('<th scope="col">Required</th>');
    expect(html).toContain(
      'measured <strong>18,500</strong> → <strong>2,703 instances, $675,750/month</strong>',
    );
    expect(html).toContain('<code class="formula">50,000,000 ÷ 10,000 = 5,000</code>');
  });

  it('pre-renders every chart as SVG with data marks and an accessible description', async () => {
    const html = await buildReport(sampleReportInput(20));
    const figures = [...html.matchAll(/<figure class="chart" id="chart-([^"]+)"[\s\S]*?<\/figure>/g)];
    expect(figures).toHaveLength(10);
    for (const [figure, id] of figures) {
      expect(figure, id).toContain(`aria-describedby="chart-${id}-desc"`);
      expect(figure, id).toMatch(/<div class="chart-svg" role="img" aria-label="[^"]{20,}"><svg /);
      expect(figure, id).toMatch(/class="mark-[a-z]+ role-mark/);
    }
  });

  it('the same input gives the same HTML (pure)', async () => {
    const input = sampleReportInput(10);
    expect(await buildReport(input)).toBe(await buildReport(input));
  });

  it('a model-only report has no load-test section and says it is not measured', () => {
    const input = sampleReportInput(10);
    const html = buildReportHtml({ scenario: input.scenario, model: input.model });
    expect(html).toContain('<strong id="verdict">NOT MEASURED</strong>');
    expect(html).not.toContain('id="load-heading"');
    expect(html).toContain('id="model-heading"');
  });

  it('cannot be broken out of its script and JSON blocks by hostile text', () => {
    expect(scriptSafe('a</script><script>alert(1)')).not.toContain('</script');
    expect(jsonSafe({ text: '</script><!--' })).not.toMatch(/[<>]/);
    const html = buildReportHtml({
      scenario: { name: '<img src=x onerror=alert(1)>' },
      notes: ['</script>'],
    });
    expect(html).not.toContain('<img src=x');
  });
});

describe('how we got this', () => {
  it('states the slack a rate row is given', () => {
    const input = sampleReportInput(10);
    input.requirements![1].tolerance = 0.1;
    expect(buildReportHtml(input)).toContain('<li>Passes at ≥ 90 % of required: random arrivals');
  });
});
