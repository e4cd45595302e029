/** The shape every chart builder returns, and helpers shared by the builders. */
import type { TopLevelSpec } from 'vega-lite';

export interface ReportChart {
  /** Stable id, used as the HTML element id (`chart-<id>`). */
  id: string;
  title: string;
  /** What the chart shows, in words: the aria description and the screen-reader text. */
  description: string;
  spec: TopLevelSpec;
}

/** Width of every chart, in CSS pixels (fixed so the build-time SVG and the live chart match). */
export const chartWidthPx = 620;
export const chartHeightPx = 220;

/** Colours that print well in greyscale too. */
export const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** Keeps at most `maxPoints` evenly spaced points (always the first and last) so reports stay small. */
export function downsample<T>(points: readonly T[], maxPoints = 400): T[] {
  if (points.length <= maxPoints) return [...points];
  const kept: T[] = [];
  const step = (points.length - 1) / (maxPoints - 1);
  for (let index = 0; index < maxPoints; index += 1) kept.push(points[Math.round(index * step)]);
  return kept;
}

/**
 * A vega-lite view as a plain object. vega-lite's own layer types are strict unions that make small
 * builders unreadable; every spec is compiled by vega-lite in the tests, which is the real check.
 */
export type SpecObject = Record<string, unknown>;

/** Wraps a builder's object as a top-level spec with the report's common settings. */
export function topLevel(spec: SpecObject, description: string, sized = true): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description,
    ...(sized ? { width: chartWidthPx, height: chartHeightPx } : {}),
    config: { font: 'system-ui, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 } },
    ...spec,
  } as TopLevelSpec;
}

/** A horizontal reference line (a requirement or an SLO) as vega-lite layers with its label. */
export function referenceLineLayers(value: number, label: string): SpecObject[] {
  const data = { values: [{ value, label }] };
  return [
    {
      data,
      mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4], strokeWidth: 2 },
      encoding: { y: { field: 'value', type: 'quantitative' } },
    },
    {
      data,
      mark: { type: 'text', align: 'right', dy: -6, color: '#d62728', x: 'width' },
      encoding: { y: { field: 'value', type: 'quantitative' }, text: { field: 'label' } },
    },
  ];
}
