/** TEST DOUBLE of `k6/timers` (see README.md): Node timers, tracked so the event loop can drain. */
import { runCallback, shimState } from './state.js';

type Callback = (...args: unknown[]) => void;
const handles = new Map<number, ReturnType<typeof globalThis.setTimeout>>();
let nextId = 1;

export function setTimeout(callback: Callback, delay: number, ...args: unknown[]): number {
  const id = nextId++;
  const state = shimState();
  state.timers.add(id);
  handles.set(
    id,
    globalThis.setTimeout(() => {
      state.timers.delete(id);
      handles.delete(id);
      runCallback(() => callback(...args));
    }, delay),
  );
  return id;
}

export function clearTimeout(id: number): void {
  const handle = handles.get(id);
  if (handle !== undefined) globalThis.clearTimeout(handle);
  handles.delete(id);
  shimState().timers.delete(id);
}

export function setInterval(callback: Callback, delay: number, ...args: unknown[]): number {
  const id = nextId++;
  shimState().timers.add(id);
  handles.set(
    id,
    globalThis.setInterval(() => runCallback(() => callback(...args)), delay),
  );
  return id;
}

export function clearInterval(id: number): void {
  const handle = handles.get(id);
  if (handle !== undefined) globalThis.clearInterval(handle);
  handles.delete(id);
  shimState().timers.delete(id);
}
