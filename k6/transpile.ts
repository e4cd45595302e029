/**
 * TypeScript → JavaScript for the k6 script. k6 ≥ 0.57 runs `.ts` itself, but k6-operator's TestRun
 * documents `.js` (or `.tar`) scripts, so the export ships both. Uses the TypeScript compiler's
 * `transpileModule` (types are erased, nothing is type-checked here; the tests type-check).
 * Imported lazily: TypeScript is only needed when a script is exported.
 */
import { CapsimError, ExitCode } from '../common/errors.js';

export async function transpileK6Script(source: string): Promise<string> {
  let ts: typeof import('typescript');
  try {
    ts = (await import('typescript')).default;
  } catch {
    throw new CapsimError('E_NO_TYPESCRIPT', 'transpiling script.ts needs the `typescript` package', {
      exitCode: ExitCode.runtimeFailure,
      problems: [{ message: 'not installed', expected: 'npm install typescript@5' }],
    });
  }
  const output = ts.transpileModule(source, {
    compilerOptions: {
      // k6's JavaScript runtime (Sobek) covers ES2017 well; class fields and newer syntax are lowered.
      target: ts.ScriptTarget.ES2017,
      module: ts.ModuleKind.ESNext,
      removeComments: false,
      useDefineForClassFields: false,
    },
    reportDiagnostics: true,
  });
  const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new CapsimError('E_K6_TRANSPILE', 'the generated k6 script does not parse', {
      exitCode: ExitCode.runtimeFailure,
      problems: errors.map((d) => ({ message: ts.flattenDiagnosticMessageText(d.messageText, '\n') })),
    });
  }
  return output.outputText;
}
