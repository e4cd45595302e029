/**
 * `capsim validate --sim [--json]`: runs the simulator's validation suite (closed-form queueing results,
 * Little's law, batching, the 003 device workers) and prints a table or the JSON array.
 * Returns the exit code: 0 when every case passes, 1 otherwise.
 */
export async function runSimValidationCommand({ json }: { json: boolean }): Promise<number> {
  const { runSimValidation } = await import('./validation.js');
  const { renderValidationTable } = await import('./validation-render.js');
  const cases = await runSimValidation();
  if (json) console.log(JSON.stringify(cases, null, 2));
  else console.log(renderValidationTable(cases));
  return cases.every((validationCase) => validationCase.pass) ? 0 : 1;
}
