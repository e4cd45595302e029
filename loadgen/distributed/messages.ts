/** The control protocol between a load-test coordinator and its workers (IPC or TCP JSON lines). */
import type { SegmentAssignment, WorkerResult, WorkerSnapshot } from '../executors/segment-runner.js';

export interface AdapterSpec {
  /** `reference`, or a path to an ES module exporting `createAdapter(options)` (see ADAPTERS.md). */
  name: string;
  tokenSecret?: string;
}

export type CoordinatorMessage =
  | { type: 'clock'; id: number; t0: number }
  | { type: 'assign'; assignment: SegmentAssignment; adapter: AdapterSpec }
  | { type: 'start'; startAtMs: number }
  | { type: 'abort' };

export type WorkerMessage =
  | { type: 'hello'; host: string; pid: number; sourceAddresses: string[] }
  | { type: 'clock.reply'; id: number; t0: number; t1: number }
  | { type: 'ready' }
  | { type: 'second'; snapshot: WorkerSnapshot }
  | { type: 'result'; result: WorkerResult }
  | { type: 'failed'; message: string };

export interface Channel<Out, In> {
  send(message: Out): void;
  onMessage(listener: (message: In) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}
