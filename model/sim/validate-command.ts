/**
 * `capsim validate --sim [--json]`: runs the simulator's validation suite (closed-form queueing results,
 * Little's law, batching, the 003 device workers) at the full level and prints a table or the JSON array
 * `[{ name, metric, expected, simulated, relativeError, ciLow, ciHigh, tolerance, pass }]`.
 * Returns the exit code: 0 when every case passes, 1 otherwise.
 */
export async function runSimValidationCommand({ json }: { json: boolean }): Promise<number> {
  const { runSimValidation } = await import('./validation.js');
  const { renderValidationTable } = await import('./validation-render.js');
  const { closeWorkerPool } = await import('./worker-pool.js');
  let cases;
  try {
    cases = await runSimValidation({ level: 'full' });
  } finally {
    await closeWorkerPool();
  }
  if (json) console.log(JSON.stringify(cases, null, 2));
  else console.log(renderValidationTable(cases));
  return cases.every((validationCase) => validationCase.pass) ? 0 : 1;
}
