/**
 * Every bundled scenario exports a k6 script that type-checks against @types/k6 (k6's own module
 * types, no DOM, no Node) and a structurally valid k6-operator TestRun whose parallelism is the plan's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { bundledScenarioNames } from '../scenarios/bundled.js';
import { planFleet } from '../loadgen/plan.js';
import { loadScenario } from '../scenarios/load.js';
import { buildK6Export, type K6Export } from './export.js';
import { planParallelism } from './parallelism.js';
import { typecheckK6Scripts } from './typecheck.js';

interface TestRunDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    parallelism: number;
    separate: boolean;
    script: { configMap: { name: string; file: string } };
    arguments?: string;
    runner: {
      image: string;
      env: { name: string; value: string }[];
      resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
    };
  };
}
interface ConfigMapDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  data: Record<string, string>;
}

const names = bundledScenarioNames();
const exports = new Map<string, K6Export>();
const expectedParallelism = new Map<string, number>();
const fleetHosts = new Map<string, number>();

beforeAll(async () => {
  for (const name of names) {
    const scenario = await loadScenario(name);
    const exported = await buildK6Export(scenario);
    exports.set(name, exported);
    expectedParallelism.set(name, planParallelism(scenario, exported.plan).parallelism);
    fleetHosts.set(name, planFleet(scenario).generator.hosts);
  }
});

describe('capsim k6 export of the bundled scenarios', () => {
  it('covers all five bundled scenarios', () => {
    expect(names).toHaveLength(5);
  });

  it('writes script.ts that type-checks against @types/k6 for every scenario', async () => {
    const results = await typecheckK6Scripts(names.map((name) => exports.get(name)!.files['script.ts']));
    const failures = Object.fromEntries(
      names.map((name, i) => [name, results[i].map((d) => `${d.line}:${d.column} ${d.message}`)]),
    );
    expect(failures).toEqual(Object.fromEntries(names.map((name) => [name, []])));
  });

  it.each(names)('%s: testrun.yaml is a ConfigMap plus a TestRun with the planned parallelism', (name) => {
    const exported = exports.get(name)!;
    const documents = parseAllDocuments(exported.files['testrun.yaml']);
    for (const document of documents) expect(document.errors).toEqual([]);
    const [configMap, testRun] = documents.map((document) => document.toJS()) as [
      ConfigMapDocument,
      TestRunDocument,
    ];
    expect(configMap).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(testRun).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun' });
    expect(testRun.spec.parallelism).toBe(expectedParallelism.get(name));
    expect(testRun.spec.parallelism).toBe(exported.parallelism);
    expect(testRun.spec.separate).toBe(true);
    // The TestRun points at the ConfigMap's file, and that file is exactly script.js.
    expect(testRun.spec.script.configMap.name).toBe(configMap.metadata.name);
    expect(configMap.data[testRun.spec.script.configMap.file]).toBe(exported.files['script.js']);
    for (const object of [configMap, testRun])
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(testRun.spec.runner.resources.requests.memory).toMatch(/^\d+Mi$/);
    expect(testRun.spec.runner.resources.limits).toEqual(testRun.spec.runner.resources.requests);
    expect(testRun.spec.runner.env.map((e) => e.name)).toContain('CAPSIM_TARGET');
  });

  it('runs full-scale exports on one k6 runner per load-generator host of `capsim plan`', () => {
    const full = names.filter((name) => exports.get(name)!.plan.scale === 'full');
    expect(full.length).toBeGreaterThan(0);
    for (const name of full) {
      const [, testRun] = parseAllDocuments(exports.get(name)!.files['testrun.yaml']).map((d) =>
        d.toJS(),
      ) as [unknown, TestRunDocument];
      expect({ name, parallelism: testRun.spec.parallelism }).toEqual({
        name,
        parallelism: fleetHosts.get(name),
      });
    }
  });

  it.each(names)(
    '%s: script.js is script.ts without types, and the README explains running and judging it',
    (name) => {
      const exported = exports.get(name)!;
      expect(exported.files['script.js']).toContain("from 'k6/websockets'");
      expect(exported.files['script.js']).not.toContain('interface ScriptPlan');
      expect(exported.files['script.js']).toContain('export default function');
      const readme = exported.files['README.md'];
      expect(readme).toContain('kubectl apply -f testrun.yaml');
      expect(readme).toContain('capsim k6 --import');
      expect(readme).toContain('execution segment');
      expect(readme).toContain('does **not** aggregate thresholds');
    },
  );
});
