import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CapsimError } from '../common/errors.js';
import { applyOverrides, loadScenario } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'capsim-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function loadError(nameOrPath: string, set?: string[]): Promise<CapsimError> {
  try {
    await loadScenario(nameOrPath, { set });
  } catch (error) {
    if (error instanceof CapsimError) return error;
    throw error;
  }
  throw new Error('expected loadScenario to fail');
}

const base = `name: base
workload:
  dailyActiveUsers: 1000
  messagesPerUserPerDay: [10, 20]
  peakFactor: 3
components:
  gateway: { demand: workload.concurrentConnections, capacityPerUnit: 100 }
`;

describe('loadScenario', () => {
  it('resolves bundled names and files', async () => {
    const scenario = await loadScenario('whatsapp-agent-backend');
    expect(scenario.source).toBe('000_e2ba6581a2b65330.txt');
    expect(scenario.workload.messagesPerUserPerDay).toEqual([10, 20]);
    const file = write('plain.yaml', base);
    expect((await loadScenario(file)).name).toBe('base');
  });

  it('names a missing scenario with a "did you mean" among bundled names (E_FILE_NOT_FOUND)', async () => {
    const error = await loadError('whatsapp-agent-backnd');
    expect(error.code).toBe('E_FILE_NOT_FOUND');
    expect(error.exitCode).toBe(2);
    expect(error.problems[0].message).toContain('did you mean `whatsapp-agent-backend`');
    expect((await loadError(join(dir, 'nope.yaml'))).code).toBe('E_FILE_NOT_FOUND');
  });

  it('reports malformed YAML with line and column (E_YAML_SYNTAX)', async () => {
    const file = write('broken.yaml', 'name: broken\nworkload:\n  peakFactor: [3, 4\n  other: 1\n');
    const error = await loadError(file);
    expect(error.code).toBe('E_YAML_SYNTAX');
    expect(error.problems[0].file).toContain('broken.yaml');
    expect(error.problems[0].line).toBeGreaterThanOrEqual(3);
    expect(error.problems[0].column).toBeGreaterThan(0);
  });

  it('reports every schema problem at once with file, line, column, path, expected and found (E_SCHEMA)', async () => {
    const file = write(
      'bad.yaml',
      'name: bad\nworkload:\n  peakFactor: fast\n  dailyActiveUsers: -5\n  messagesPerUserPerDay: [20, 10]\n',
    );
    const error = await loadError(file);
    expect(error.code).toBe('E_SCHEMA');
    expect(error.problems).toHaveLength(3);
    const [peak, dau, range] = error.problems;
    expect(peak).toMatchObject({ line: 3, column: 15, path: 'workload.peakFactor', found: '"fast"' });
    expect(peak.message).toMatch(/expected a number/);
    expect(dau).toMatchObject({ line: 4, path: 'workload.dailyActiveUsers', found: '-5', expected: '≥ 0' });
    expect(range).toMatchObject({ line: 5, path: 'workload.messagesPerUserPerDay', found: '[20,10]' });
    expect(range.message).toMatch(/low \(20\) must not exceed high \(10\)/);
  });

  it('reports a missing required section', async () => {
    const error = await loadError(write('empty.yaml', 'name: empty\n'));
    expect(error.code).toBe('E_SCHEMA');
    expect(error.problems[0]).toMatchObject({
      path: 'workload',
      message: 'required field is missing',
      found: 'nothing',
    });
  });

  it('rejects unknown fields with a "did you mean" and the key position (E_UNKNOWN_FIELD)', async () => {
    const file = write('typo.yaml', 'name: typo\nworkload:\n  dailyActiveUser: 5\n  peakFactr: 2\n');
    const error = await loadError(file);
    expect(error.code).toBe('E_UNKNOWN_FIELD');
    expect(error.problems.map((problem) => problem.message)).toEqual([
      'unknown field `dailyActiveUser` (did you mean `dailyActiveUsers`?)',
      'unknown field `peakFactr` (did you mean `peakFactor`?)',
    ]);
    expect(error.problems[0]).toMatchObject({ line: 3, column: 3, path: 'workload.dailyActiveUser' });
  });

  it('merges `extends:` deeply, by relative path or bundled name, without inheriting checks', async () => {
    write('parent.yaml', base);
    const child = write(
      'child.yaml',
      'name: child\nextends: ./parent.yaml\nworkload:\n  peakFactor: 5\ncomponents:\n  gateway: { capacityPerUnit: 200 }\n',
    );
    const scenario = await loadScenario(child);
    expect(scenario.workload).toMatchObject({
      dailyActiveUsers: 1000,
      messagesPerUserPerDay: [10, 20],
      peakFactor: 5,
    });
    expect(scenario.components?.gateway).toEqual({
      demand: 'workload.concurrentConnections',
      capacityPerUnit: 200,
    });
    const whatIf = write(
      'what-if.yaml',
      'name: what-if\nextends: whatsapp-agent-backend\nworkload: { peakFactor: 4 }\ncurrent: null\n',
    );
    const loaded = await loadScenario(whatIf);
    expect(loaded.workload.registeredUsers).toBe(1e9);
    expect(loaded.workload.peakFactor).toBe(4);
    expect(loaded.current).toBeUndefined();
    expect(loaded.expect).toBeUndefined();
  });

  it('locates problems in the file that wrote the field', async () => {
    write('parent2.yaml', base.replace('peakFactor: 3', 'peakFactor: 0.5'));
    const child = write('child2.yaml', 'name: child2\nextends: parent2.yaml\n');
    const error = await loadError(child);
    expect(error.problems[0]).toMatchObject({ path: 'workload.peakFactor', line: 5 });
    expect(error.problems[0].file).toContain('parent2.yaml');
  });

  it('detects `extends:` cycles (E_EXTENDS_CYCLE)', async () => {
    write('a.yaml', 'name: a\nextends: ./b.yaml\nworkload: {}\n');
    write('b.yaml', 'name: b\nextends: ./a.yaml\nworkload: {}\n');
    const error = await loadError(join(dir, 'a.yaml'));
    expect(error.code).toBe('E_EXTENDS_CYCLE');
    expect(error.message).toMatch(/a\.yaml → .*b\.yaml → .*a\.yaml/);
  });

  it('applies --set overrides with validation', async () => {
    const file = write('set.yaml', base);
    const scenario = await loadScenario(file, {
      set: ['workload.peakFactor=4', 'workload.messagesPerUserPerDay=[5, 30]'],
    });
    expect(scenario.workload.peakFactor).toBe(4);
    expect(scenario.workload.messagesPerUserPerDay).toEqual([5, 30]);
    const unknown = await loadError(file, ['workload.peakFacter=4']);
    expect(unknown.code).toBe('E_UNKNOWN_FIELD');
    expect(unknown.problems[0].file).toBe('--set workload.peakFacter=4');
    expect(unknown.problems[0].message).toContain('did you mean `peakFactor`');
    const invalid = await loadError(file, ['workload.peakFactor=0']);
    expect(invalid.code).toBe('E_SCHEMA');
    expect(invalid.problems[0].file).toBe('--set workload.peakFactor=0');
    expect((await loadError(file, ['peakFactor'])).code).toBe('E_BAD_SET');
  });

  it('applies overrides to a loaded scenario', async () => {
    const scenario = await loadScenario('chat-1b-users');
    expect(
      applyOverrides(scenario, ['workload.concurrentConnections=2e7']).workload.concurrentConnections,
    ).toBe(2e7);
  });
});
