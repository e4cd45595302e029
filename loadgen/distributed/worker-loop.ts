/**
 * The worker side of the control protocol, the same for a local child process (IPC) and for
 * `capsim worker --join` on another host (TCP): answer clock probes, take an assignment, start at
 * the agreed instant (already converted to this host's clock by the coordinator), stream a snapshot
 * every second, send the final result.
 */
import os from 'node:os';
import { nowMs } from '../executors/clock.js';
import { runSegment, type SegmentAssignment } from '../executors/segment-runner.js';
import { resolveAdapter } from '../protocol/resolve-adapter.js';
import type { AdapterSpec, Channel, CoordinatorMessage, WorkerMessage } from './messages.js';

export interface WorkerOptions {
  /** Source addresses this worker's sockets use (overrides the coordinator's list when given). */
  sourceAddresses?: string[];
}

/** Serves one run on `channel`; resolves when the result has been sent (or the run failed). */
export function serveWorker(
  channel: Channel<WorkerMessage, CoordinatorMessage>,
  options: WorkerOptions = {},
): Promise<void> {
  return new Promise((resolve) => {
    let assignment: SegmentAssignment | null = null;
    let adapterSpec: AdapterSpec | null = null;
    const abort = new AbortController();
    channel.onClose(() => {
      abort.abort();
      resolve();
    });
    channel.send({
      type: 'hello',
      host: os.hostname(),
      pid: process.pid,
      sourceAddresses: options.sourceAddresses ?? [],
    });
    channel.onMessage((message) => {
      if (message.type === 'clock')
        channel.send({ type: 'clock.reply', id: message.id, t0: message.t0, t1: nowMs() });
      else if (message.type === 'assign') {
        assignment = {
          ...message.assignment,
          sourceAddresses: options.sourceAddresses ?? message.assignment.sourceAddresses,
        };
        adapterSpec = message.adapter;
        channel.send({ type: 'ready' });
      } else if (message.type === 'abort') abort.abort();
      else if (message.type === 'start' && assignment && adapterSpec) {
        const current = assignment;
        resolveAdapter(adapterSpec)
          .then((adapter) =>
            runSegment(current, message.startAtMs, {
              adapter,
              signal: abort.signal,
              onSecond: (snapshot) => channel.send({ type: 'second', snapshot }),
            }),
          )
          .then((result) => channel.send({ type: 'result', result }))
          .catch((error: unknown) =>
            channel.send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
          )
          .finally(() => resolve());
      }
    });
  });
}
