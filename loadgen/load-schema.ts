/**
 * The scenario's `load:` section (phases, message rates, thresholds of a load test).
 * Placeholder until the load generator defines it; owned by loadgen/.
 */
import { z } from 'zod';

export const loadSchema = z.record(z.string(), z.unknown());
export type LoadSpec = z.infer<typeof loadSchema>;
