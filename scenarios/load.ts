/**
 * Loads a scenario: resolves a bundled name or a path, parses YAML (keeping line/column positions),
 * follows `extends:` (deep merge, cycle detection), applies `--set` overrides and validates the result
 * against the schema. Every problem is reported at once, each with file, line, column, field path,
 * what was expected and what was found. Errors are CapsimError with stable codes:
 *   E_FILE_NOT_FOUND, E_YAML_SYNTAX, E_SCHEMA, E_UNKNOWN_FIELD, E_EXTENDS_CYCLE, E_BAD_SET.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { CapsimError, type InputProblem } from '../common/errors.js';
import { bundledScenarioNames, bundledScenarioPath } from './bundled.js';
import {
  deepMerge,
  getPath,
  isPlainObject,
  parseOverride,
  setPath,
  type Override,
  type RawObject,
} from './merge.js';
import { nonInheritedFields, scenarioSchema, type Scenario } from './schema.js';
import { allowedKeys, closest } from './suggest.js';
import { locate, locateKey, type SourceFile } from './yaml-locate.js';

export interface LoadOptions {
  /** `path=value` overrides, applied after `extends:` and validated with the rest. */
  set?: readonly string[];
}

/** Where a loaded scenario came from (kept beside the object for later error messages). */
interface Provenance {
  sources: SourceFile[];
  overrides: Override[];
}
const provenance = new WeakMap<object, Provenance>();

function displayPath(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown === '' || shown.startsWith('..') ? file : shown;
}

/** Resolves a bundled scenario name or a file path to an absolute file path. */
export function resolveScenarioPath(nameOrPath: string, relativeTo = process.cwd()): string {
  const asPath = isAbsolute(nameOrPath) ? nameOrPath : resolve(relativeTo, nameOrPath);
  const looksLikePath = /[\\/]|\.ya?ml$/i.test(nameOrPath);
  if (looksLikePath && existsSync(asPath)) return asPath;
  const bundled = looksLikePath ? undefined : bundledScenarioPath(nameOrPath);
  if (bundled) return bundled;
  if (existsSync(asPath) && !looksLikePath) return asPath;
  const names = bundledScenarioNames();
  const suggestion = closest(basename(nameOrPath).replace(/\.ya?ml$/i, ''), names);
  throw new CapsimError('E_FILE_NOT_FOUND', `scenario not found: ${nameOrPath}`, {
    problems: [
      {
        message: suggestion
          ? `no such file or bundled scenario (did you mean \`${suggestion}\`?)`
          : 'no such file or bundled scenario',
        expected: `a YAML file or one of: ${names.join(', ')}`,
        found: nameOrPath,
      },
    ],
  });
}

function readSource(file: string): { source: SourceFile; raw: RawObject } {
  const shown = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CapsimError('E_FILE_NOT_FOUND', `cannot read ${shown}`, {
      problems: [{ file: shown, message: (error as NodeJS.ErrnoException).code ?? String(error) }],
    });
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new CapsimError('E_YAML_SYNTAX', `${shown} is not valid YAML`, {
      problems: document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          file: shown,
          line: position.line,
          column: position.col,
          message: error.message.split('\n')[0],
        };
      }),
    });
  }
  const raw: unknown = document.toJS({ maxAliasCount: 100 });
  const source = { file: shown, document, lineCounter };
  if (!isPlainObject(raw)) {
    throw new CapsimError('E_SCHEMA', `${shown} must be a mapping of scenario fields`, {
      problems: [
        {
          file: shown,
          line: 1,
          column: 1,
          message: 'not a mapping',
          expected: 'name:, workload:, …',
          found: describe(raw),
        },
      ],
    });
  }
  return { source, raw };
}

/** Reads `file` and its `extends:` chain; returns the merged raw object and the sources, child first. */
function readWithParents(file: string, chain: string[]): { raw: RawObject; sources: SourceFile[] } {
  const real = realpathSync(file);
  if (chain.includes(real)) {
    const cycle = [...chain.slice(chain.indexOf(real)), real].map(displayPath);
    throw new CapsimError('E_EXTENDS_CYCLE', `\`extends:\` forms a cycle: ${cycle.join(' → ')}`, {
      problems: [
        {
          file: displayPath(file),
          path: 'extends',
          message: 'a scenario cannot extend itself, directly or not',
          found: cycle.join(' → '),
        },
      ],
    });
  }
  const { source, raw } = readSource(file);
  const parentRef = raw.extends;
  if (parentRef === undefined) return { raw, sources: [source] };
  if (typeof parentRef !== 'string') {
    const where = locate(source, ['extends'])?.location;
    throw new CapsimError('E_SCHEMA', `${source.file}: \`extends:\` must name a scenario`, {
      problems: [
        {
          ...where,
          path: 'extends',
          message: 'not a scenario name or path',
          expected: 'a bundled name or a relative path',
          found: describe(parentRef),
        },
      ],
    });
  }
  let parentFile: string;
  try {
    parentFile = resolveScenarioPath(parentRef, dirname(file));
  } catch (error) {
    if (error instanceof CapsimError) {
      const where = locate(source, ['extends'])?.location;
      throw new CapsimError(error.code, `${source.file}: extends ${parentRef}: ${error.message}`, {
        problems: error.problems.map((problem) => ({ ...problem, ...where, path: 'extends' })),
      });
    }
    throw error;
  }
  const parent = readWithParents(parentFile, [...chain, real]);
  const inherited = { ...parent.raw };
  for (const field of nonInheritedFields) delete inherited[field];
  return { raw: deepMerge(inherited, raw), sources: [source, ...parent.sources] };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}

/** Where a path came from: an override, or the child-most file that writes it. */
function whereIs(path: readonly PropertyKey[], origin: Provenance, key?: string): Partial<InputProblem> {
  const full = key === undefined ? path : [...path, key];
  const override = origin.overrides.findLast(
    (item) =>
      item.path.length <= full.length &&
      item.path.every((segment, index) => String(segment) === String(full[index])),
  );
  if (override) return { file: `--set ${override.text}` };
  if (key !== undefined) {
    for (const source of origin.sources) {
      const location = locateKey(source, path, key);
      if (location) return location;
    }
  }
  let fallback: Partial<InputProblem> | undefined;
  for (const source of origin.sources) {
    const found = locate(source, full);
    if (found?.exact) return found.location;
    fallback ??= found?.location;
  }
  return fallback ?? { file: origin.sources[0]?.file };
}

function issueToProblems(issue: z.core.$ZodIssue, origin: Provenance, raw: RawObject): InputProblem[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(scenarioSchema, path);
    return issue.keys.map((key) => {
      const suggestion = closest(key, allowed);
      return {
        ...whereIs(path, origin, key),
        path: pathText([...path, key]),
        message: suggestion
          ? `unknown field \`${key}\` (did you mean \`${suggestion}\`?)`
          : `unknown field \`${key}\``,
        expected: allowed.length > 0 ? `one of ${allowed.join(', ')}` : 'no further fields',
        found: key,
      };
    });
  }
  const found = describe(getPath(raw, path as (string | number)[]));
  let expected: string | undefined;
  if (issue.code === 'invalid_type') expected = issue.expected;
  else if (issue.code === 'too_small')
    expected = `${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}`;
  else if (issue.code === 'too_big')
    expected = `${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}`;
  else if (issue.code === 'invalid_value')
    expected = `one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
  const message =
    issue.code === 'invalid_type' && found === 'nothing' ? 'required field is missing' : issue.message;
  return [{ ...whereIs(path, origin), path: pathText(path), message, expected, found }];
}

/** Validates a raw (merged) scenario object; throws CapsimError listing every problem. */
function validate(raw: RawObject, origin: Provenance): Scenario {
  const result = scenarioSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => issueToProblems(issue, origin, raw));
  problems.sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
  const allUnknown = result.error.issues.every((issue) => issue.code === 'unrecognized_keys');
  const file = origin.sources[0]?.file ?? 'scenario';
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  throw new CapsimError(allUnknown ? 'E_UNKNOWN_FIELD' : 'E_SCHEMA', `${file}: ${count} in the scenario`, {
    problems,
  });
}

/**
 * Loads, merges and validates a scenario by bundled name (`whatsapp-agent-backend`) or file path.
 * Options: `set` overrides (`workload.peakFactor=4`).
 */
export async function loadScenario(nameOrPath: string, options: LoadOptions = {}): Promise<Scenario> {
  return loadScenarioSync(nameOrPath, options);
}

/** Synchronous form of loadScenario (the loader does no asynchronous work). */
export function loadScenarioSync(nameOrPath: string, options: LoadOptions = {}): Scenario {
  const file = resolveScenarioPath(nameOrPath);
  const overrides = (options.set ?? []).map(parseOverride);
  const { raw: merged, sources } = readWithParents(file, []);
  let raw = merged;
  for (const override of overrides) raw = setPath(raw, override.path, override.value);
  if (raw.name === undefined)
    raw = {
      ...raw,
      name: basename(file)
        .replace(/\.ya?ml$/i, '')
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-'),
    };
  const origin: Provenance = { sources, overrides };
  const scenario = validate(raw, origin);
  provenance.set(scenario, origin);
  return scenario;
}

/** Applies `--set` overrides to an already loaded scenario and validates the result. */
export function applyOverrides(scenario: Scenario, set: readonly string[]): Scenario {
  const overrides = set.map(parseOverride);
  let raw = scenario as unknown as RawObject;
  for (const override of overrides) raw = setPath(raw, override.path, override.value);
  const previous = provenance.get(scenario);
  const origin: Provenance = {
    sources: previous?.sources ?? [],
    overrides: [...(previous?.overrides ?? []), ...overrides],
  };
  const result = validate(raw, origin);
  provenance.set(result, origin);
  return result;
}

/**
 * File/line/column of a field of a loaded scenario (for errors found after loading, such as a
 * component demand naming a metric that does not exist). Empty when unknown.
 */
export function locateScenarioField(
  scenario: Scenario,
  path: readonly (string | number)[],
): Partial<InputProblem> {
  const origin = provenance.get(scenario);
  return origin ? whereIs(path, origin) : {};
}
