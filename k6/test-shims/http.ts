/**
 * TEST DOUBLE of `k6/http` (see README.md). k6's HTTP calls are synchronous; Node's are not, so a
 * worker thread runs `fetch` while this thread blocks on Atomics.wait until the answer is posted back
 * (the server under test must therefore run in another process or thread). Only `get` and `post`.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface ShimResponse {
  status: number;
  body: string;
  /** Only `duration` (ms, measured around the blocking call). */
  timings: { duration: number };
  json(): unknown;
}

const workerSource = `
const { workerData } = require('node:worker_threads');
const port = workerData.port;
port.on('message', async ({ signal, method, url, headers, body }) => {
  let answer;
  try {
    const response = await fetch(url, { method, headers, body: body === null ? undefined : body });
    answer = { status: response.status, body: await response.text() };
  } catch (error) {
    answer = { status: 0, body: String(error) };
  }
  port.postMessage(answer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

let channel: { worker: Worker; port: MessagePort } | null = null;

function connection(): { worker: Worker; port: MessagePort } {
  if (channel) return channel;
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(workerSource, { eval: true, workerData: { port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  channel = { worker, port: port1 };
  return channel;
}

function request(method: string, url: string, body: string | null, params: Params = {}): ShimResponse {
  const { port } = connection();
  const startedMs = performance.now();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  port.postMessage({ signal, method, url, headers: params.headers ?? {}, body });
  // The worker answers on the port, then flips the signal; wait at most 30 s, like k6's default timeout.
  if (Atomics.wait(signal, 0, 0, 30_000) === 'timed-out')
    throw new Error(`k6 shim: ${method} ${url} timed out`);
  const received = receiveMessageOnPort(port);
  const answer = (received?.message ?? { status: 0, body: 'no answer' }) as { status: number; body: string };
  return {
    status: answer.status,
    body: answer.body,
    timings: { duration: performance.now() - startedMs },
    json: () => JSON.parse(answer.body) as unknown,
  };
}

export function get(url: string, params?: Params): ShimResponse {
  return request('GET', url, null, params);
}

export function post(url: string, body?: string | null, params?: Params): ShimResponse {
  return request('POST', url, body ?? null, params);
}

export default { get, post };
