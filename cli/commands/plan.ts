import type { Command } from 'commander';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('plan')
    .description('Compute the load-generator and server fleet to load-test a scenario at full scale')
    .argument('<scenario>', 'bundled scenario name or path to a scenario YAML')
    .option('--json', 'print the plan as JSON')
    .option('--cores-per-host <n>', 'generator host cores', '16')
    .option('--memory-per-host-gib <n>', 'generator host memory', '64')
    .action(
      action(
        async (
          scenarioRef: string,
          flags: { json?: boolean; coresPerHost: string; memoryPerHostGib: string },
        ) => {
          const [{ loadScenario }, { planFleet, renderPlan }] = await Promise.all([
            import('../../scenarios/load.js'),
            import('../../loadgen/plan.js'),
          ]);
          const { integerFlag } = await import('./serve.js');
          const scenario = await loadScenario(scenarioRef);
          const plan = planFleet(scenario, {
            coresPerHost: integerFlag('--cores-per-host', flags.coresPerHost, 2, 4096),
            memoryPerHostBytes:
              (integerFlag('--memory-per-host-gib', flags.memoryPerHostGib, 1, 1 << 20) ?? 64) * 2 ** 30,
          });
          console.log(flags.json ? JSON.stringify(plan, null, 2) : renderPlan(plan));
        },
      ),
    );
}
