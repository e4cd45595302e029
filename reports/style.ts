/** The report's stylesheet: readable on screen, compact in print (static SVG charts, no widgets). */
export const reportCss = `
:root { color-scheme: light; --ok: #1b7f3b; --fail: #b42318; --muted: #555; }
body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 0 auto; max-width: 980px; padding: 0 1.2rem 3rem; color: #1a1a1a; }
h1 { font-size: 1.6rem; margin: 1.2rem 0 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; display: inline; }
.meta, .note, .chart-desc { color: var(--muted); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: 0.3rem; }
.verdict { border-radius: 8px; padding: 0.6rem 1.2rem; margin: 1rem 0; border: 2px solid; }
.verdict h2 { border: 0; margin: 0.3rem 0; font-size: 1.4rem; }
.badge { display: inline-block; width: 1.6rem; height: 1.6rem; line-height: 1.6rem; text-align: center; border-radius: 50%; color: #fff; background: #888; }
.ready .badge { background: var(--ok); } .not-ready .badge { background: var(--fail); }
.verdict.ready { border-color: var(--ok); background: #ecfdf3; }
.verdict.not-ready { border-color: var(--fail); background: #fef3f2; }
.verdict.not-measured { border-color: #888; background: #f5f5f5; }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0 1rem; font-size: 0.92rem; }
caption { text-align: left; color: var(--muted); font-size: 0.85rem; padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.status.pass { color: var(--ok); font-weight: 600; } td.status.fail { color: var(--fail); font-weight: 600; }
td.status.not-measured { color: var(--muted); }
details summary { cursor: pointer; color: #1f5fa8; font-size: 0.85rem; font-weight: normal; }
details[open] > ul, details code.formula { font-size: 0.85rem; }
code.formula { display: block; white-space: pre-wrap; background: #f6f8fa; padding: 0.3rem; margin-top: 0.2rem; }
.model-metrics > summary, .model-checks > summary { font-size: 1rem; color: inherit; margin: 0.8rem 0; }
figure.chart { margin: 1.2rem 0; break-inside: avoid; }
figcaption { font-size: 0.9rem; margin-bottom: 0.4rem; }
.chart-svg svg { max-width: 100%; height: auto; }
html.js figure.embedded .chart-svg { display: none; }
.calibration-sentence { font-size: 1.05rem; }
@media print {
  body { max-width: none; font-size: 11pt; }
  .skip, .chart-live { display: none !important; }
  html.js figure.embedded .chart-svg { display: block !important; }
  @page { margin: 1.5cm; }
  /* Print every "how we got this" formula, expanded. */
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; }
  a { color: inherit; text-decoration: none; }
  section { break-inside: avoid-page; }
}
`;
