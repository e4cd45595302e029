/** HTTP probes of a running gateway, for tests: one Prometheus sample, and the /readyz status. */

/** The value of the first sample of metric `name` (labels ignored); NaN when it is absent. */
export async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  return Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/** `status` of GET /readyz: 'ready', 'degraded', 'unavailable' or 'shutting-down'. */
export async function readinessStatus(url: string): Promise<string> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return ((await response.json()) as { status: string }).status;
}
