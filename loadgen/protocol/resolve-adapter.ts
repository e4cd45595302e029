/** Finds the protocol adapter for a run: the reference protocol, or a user module (ADAPTERS.md). */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CapsimError } from '../../common/errors.js';
import type { AdapterSpec } from '../distributed/messages.js';
import type { ProtocolAdapter } from './adapter.js';
import { referenceAdapter } from './reference.js';

export async function resolveAdapter(spec: AdapterSpec): Promise<ProtocolAdapter> {
  if (spec.name === 'reference') return referenceAdapter({ tokenSecret: spec.tokenSecret });
  const path = isAbsolute(spec.name) ? spec.name : resolve(spec.name);
  let module: { createAdapter?: (options: { tokenSecret?: string }) => ProtocolAdapter };
  try {
    module = (await import(pathToFileURL(path).href)) as typeof module;
  } catch (error) {
    throw new CapsimError('E_BAD_ADAPTER', `cannot load adapter module ${spec.name}`, {
      problems: [
        {
          path: '--adapter',
          message: error instanceof Error ? error.message : String(error),
          expected: "'reference' or a module exporting createAdapter()",
          found: spec.name,
        },
      ],
    });
  }
  if (typeof module.createAdapter !== 'function') {
    throw new CapsimError('E_BAD_ADAPTER', `adapter module ${spec.name} does not export createAdapter()`, {
      problems: [
        {
          path: '--adapter',
          message: 'no createAdapter export',
          expected: 'export function createAdapter(options): ProtocolAdapter',
          found: spec.name,
        },
      ],
    });
  }
  return module.createAdapter({ tokenSecret: spec.tokenSecret });
}
