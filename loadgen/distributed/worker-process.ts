/** Entry point of a local worker child process (`--workers N`): serves the control protocol over IPC. */
import { ipcChannel } from './channels.js';
import type { CoordinatorMessage, WorkerMessage } from './messages.js';
import { serveWorker } from './worker-loop.js';

await serveWorker(ipcChannel<WorkerMessage, CoordinatorMessage>(process));
// Let the final IPC message flush before leaving.
setTimeout(() => process.exit(0), 100);
