/**
 * Operator access to the dead-letter queue, used by `capsim dlq`: through a running server's admin
 * endpoints (works for embedded and cluster mode), or straight from an embedded data directory when no
 * server is running (list only: a replay needs live connections to deliver to).
 */
import { existsSync } from 'node:fs';
import { CapsimError, ExitCode } from '../common/errors.js';
import { signToken } from './auth/token.js';
import type { DeadLetter } from './contracts.js';
import { sqlitePath, SqliteMessageStore } from './embedded/sqlite-store.js';
import { adminSubject } from './gateway/http.js';

export interface DlqTarget {
  /** http://HOST:PORT of a running server. */
  url: string;
  tokenSecret: string;
}

function adminToken(secret: string): string {
  return signToken({ sub: adminSubject, exp: Math.floor(Date.now() / 1000) + 300 }, secret);
}

async function call<T>(target: DlqTarget, method: string, path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${target.url.replace(/\/$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken(target.tokenSecret)}` },
    });
  } catch (error) {
    throw new CapsimError('E_UNREACHABLE', `cannot reach ${target.url}: ${(error as Error).message}`, {
      exitCode: ExitCode.runtimeFailure,
    });
  }
  const body = (await response.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (!response.ok) {
    throw new CapsimError(
      body.error?.code ?? 'E_HTTP',
      `${method} ${path}: ${response.status} ${body.error?.message ?? ''}`,
      {
        exitCode: ExitCode.runtimeFailure,
      },
    );
  }
  return body;
}

export function listDeadLettersRemote(
  target: DlqTarget,
  limit: number,
  afterId = 0,
): Promise<{ entries: DeadLetter[]; total: number }> {
  return call(target, 'GET', `/v1/admin/dlq?limit=${limit}&afterId=${afterId}`);
}

export function replayDeadLettersRemote(
  target: DlqTarget,
  limit: number,
): Promise<{ replayed: number; remaining: number }> {
  return call(target, 'POST', `/v1/admin/dlq/replay?limit=${limit}`);
}

export async function listDeadLettersFromDataDir(
  dataDir: string,
  limit: number,
): Promise<{ entries: DeadLetter[]; total: number }> {
  if (!existsSync(sqlitePath(dataDir))) {
    throw new CapsimError('E_NO_DATA_DIR', `no capsim database in ${dataDir}`, {
      problems: [
        {
          path: '--data-dir',
          message: 'no capsim.sqlite there',
          expected: 'a data directory written by `capsim serve`',
          found: dataDir,
        },
      ],
    });
  }
  const store = new SqliteMessageStore({ dataDir, synchronous: 'normal', writer: 'inline' });
  await store.init();
  try {
    return { entries: await store.listDeadLetters(0, limit), total: await store.countDeadLetters() };
  } finally {
    await store.close();
  }
}

/** One line per entry for a terminal. */
export function formatDeadLetters(entries: readonly DeadLetter[], total: number): string {
  if (entries.length === 0) return 'dead-letter queue is empty';
  const lines = entries.map((e) => {
    const users = [...new Set(e.envelope.targets.map((t) => t.userId))].join(',');
    const what =
      e.envelope.conversationId !== undefined
        ? `${e.envelope.conversationId}#${e.envelope.seq}`
        : e.envelope.kind;
    return `#${e.id}  ${new Date(e.createdAtMs).toISOString()}  ${what} → ${users} @ ${e.targetInstanceId}  attempts=${e.attempts}  error="${e.error}"`;
  });
  return [...lines, `${entries.length} shown, ${total} in total`].join('\n');
}
