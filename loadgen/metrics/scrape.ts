/**
 * Scrapes the target's Prometheus `/metrics` during a run (when it has one) so server-side figures —
 * CPU, RSS, event-loop lag, write-batch sizes, queue depths — sit next to the client-side ones.
 * Series with labels are summed per metric name; counters ending in `_total` also get a per-second
 * rate (`…:rate`), and `process_cpu_seconds_total` becomes `server_cpu_cores`.
 */

const interesting =
  /(cpu|resident|heap|eventloop|event_loop|connection|batch|queue|dlq|frames|rate_limited|transactions|retries|messages|deliver|ack)/i;

export function metricsUrlFor(target: string): string {
  const url = new URL(target);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/metrics';
  url.search = '';
  return url.toString();
}

/** Parses Prometheus text into name → value (labels summed; histogram buckets dropped). */
export function parsePrometheus(text: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, labels, raw] = match;
    if (name.endsWith('_bucket') || !interesting.test(name)) continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    const key = labels?.includes('quantile=') ? `${name}${labels}` : name;
    values[key] = (values[key] ?? 0) + value;
  }
  return values;
}

export interface ScrapeSample {
  second: number;
  values: Record<string, number>;
}

export class MetricsScraper {
  readonly samples: ScrapeSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private previous: { atMs: number; values: Record<string, number> } | null = null;
  available = false;

  constructor(
    readonly url: string,
    private readonly startMs: number,
    private readonly intervalMs = 2000,
  ) {}

  start(): void {
    const tick = () => {
      void this.scrapeOnce().finally(() => {
        if (this.timer !== null) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.scrapeOnce();
  }

  async scrapeOnce(): Promise<void> {
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(1500) });
      if (!response.ok) return;
      const now = Date.now();
      const values = parsePrometheus(await response.text());
      this.available = true;
      const withRates = { ...values };
      if (this.previous) {
        const dt = (now - this.previous.atMs) / 1000;
        for (const [name, value] of Object.entries(values)) {
          const before = this.previous.values[name];
          if (name.endsWith('_total') && before !== undefined && dt > 0)
            withRates[`${name}:rate`] = (value - before) / dt;
        }
        const cpu = withRates['process_cpu_seconds_total:rate'];
        if (cpu !== undefined) withRates.server_cpu_cores = cpu;
      }
      this.previous = { atMs: now, values };
      this.samples.push({ second: Math.max(0, Math.floor((now - this.startMs) / 1000)), values: withRates });
    } catch {
      // No /metrics (or not reachable): the run goes on without server-side figures.
    }
  }
}
