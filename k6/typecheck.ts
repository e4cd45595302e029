/**
 * Type-checks a generated k6 script against @types/k6 with the TypeScript compiler API, in k6's
 * environment: no DOM and no Node globals, only ES2020 and the k6 modules. Used by the tests (every
 * bundled scenario) and by `capsim k6 --check`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ScriptDiagnostic {
  line: number;
  column: number;
  message: string;
}

/** Returns the compiler's errors for `source` (empty when the script type-checks). */
export async function typecheckK6Script(source: string): Promise<ScriptDiagnostic[]> {
  return (await typecheckK6Scripts([source]))[0];
}

/** Type-checks several scripts in one compiler program (each is its own module); errors per script. */
export async function typecheckK6Scripts(sources: readonly string[]): Promise<ScriptDiagnostic[][]> {
  const ts = (await import('typescript')).default;
  // Virtual files inside the project, so `k6/…` imports resolve to node_modules/@types/k6.
  const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
  const require = createRequire(join(projectRoot, 'package.json'));
  const typesRoot = dirname(dirname(require.resolve('@types/k6/package.json')));
  const files = new Map(
    sources.map((source, index) => [join(projectRoot, 'k6', '__virtual__', `script-${index}.ts`), source]),
  );
  const compilerOptions: import('typescript').CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2020.d.ts'],
    types: ['k6'],
    typeRoots: [typesRoot],
    skipLibCheck: true,
    noUnusedLocals: true,
  };
  const host = ts.createCompilerHost(compilerOptions);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
    const text = files.get(name);
    return text !== undefined
      ? ts.createSourceFile(name, text, languageVersion, true)
      : getSourceFile(name, languageVersion, onError, shouldCreate);
  };
  const names = [...files.keys()];
  const program = ts.createProgram(names, compilerOptions, host);
  const global = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || !files.has(d.file.fileName));
  return names.map((name, index) => {
    const diagnostics = [
      ...(index === 0 ? global : []),
      ...ts.getPreEmitDiagnostics(program, program.getSourceFile(name)),
    ];
    return diagnostics
      .filter((d) => d.category === ts.DiagnosticCategory.Error)
      .map((d) => {
        const position =
          d.file && d.start !== undefined
            ? d.file.getLineAndCharacterOfPosition(d.start)
            : { line: -1, character: -1 };
        const where = d.file && d.file.fileName !== name ? `${d.file.fileName}: ` : '';
        return {
          line: position.line + 1,
          column: position.character + 1,
          message: where + ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        };
      });
  });
}
