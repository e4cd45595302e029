import type { Command } from 'commander';
import { register as registerModel } from './model.js';
import { register as registerScenarios } from './scenarios.js';
import { register as registerValidate } from './validate.js';
import { register as registerSimulate } from './simulate.js';
import { register as registerServe } from './serve.js';
import { register as registerDlq } from './dlq.js';
import { register as registerLoadtest } from './loadtest.js';
import { register as registerWorker } from './worker.js';
import { register as registerPlan } from './plan.js';
import { register as registerReport } from './report.js';
import { register as registerRun } from './run.js';
import { register as registerK6 } from './k6.js';

/** Adds every capsim command to `program`, in the order `capsim --help` lists them. */
export function registerCommands(program: Command): void {
  registerRun(program);
  registerModel(program);
  registerScenarios(program);
  registerValidate(program);
  registerSimulate(program);
  registerServe(program);
  registerDlq(program);
  registerLoadtest(program);
  registerWorker(program);
  registerPlan(program);
  registerReport(program);
  registerK6(program);
}
