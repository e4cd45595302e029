/**
 * The scenario's `pipeline:` section (stations and routes of the discrete-event simulation).
 * Placeholder until the simulation defines it; owned by model/sim/.
 */
import { z } from 'zod';

export const pipelineSchema = z.record(z.string(), z.unknown());
export type PipelineSpec = z.infer<typeof pipelineSchema>;
