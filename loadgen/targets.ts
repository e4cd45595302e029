/**
 * Load-test targets. `--target` takes one ws:// URL or several separated by commas: the instances of
 * a cluster that has no load balancer in front (e.g. `capsim serve --instances 6` listens on six ports).
 * Virtual users are spread round-robin over them.
 */
import { CapsimError } from '../common/errors.js';

/** The URLs of a `--target` value, in order; empty entries are dropped. */
export function splitTargets(target: string): string[] {
  return target
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0);
}

/** Throws E_BAD_TARGET (exit 2) unless every URL of the value is ws:// or wss://. */
export function validateTargets(target: string): string[] {
  const targets = splitTargets(target);
  const bad = targets.length === 0 ? [target] : targets.filter((url) => !isWebSocketUrl(url));
  if (bad.length > 0) {
    throw new CapsimError(
      'E_BAD_TARGET',
      '--target must be a ws:// or wss:// URL (or several, comma-separated)',
      {
        problems: bad.map((found) => ({
          path: '--target',
          message: 'not a WebSocket URL',
          expected: 'ws://127.0.0.1:PORT, ws://HOST:PORT/v1/ws, or a comma-separated list of them',
          found,
        })),
      },
    );
  }
  return targets;
}

function isWebSocketUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'ws:' || url.protocol === 'wss:';
  } catch {
    return false;
  }
}
