/** TEST DOUBLE of `k6/execution` (see README.md): scenario/VU info from the shim state; abort throws. */
import { shimState } from './state.js';

export class TestAborted extends Error {}

const execution = {
  get scenario() {
    return { ...shimState().scenario };
  },
  get vu() {
    const id = shimState().vuId;
    return {
      idInInstance: id,
      idInTest: id,
      iterationInInstance: 0,
      iterationInScenario: 0,
      tags: {},
      metrics: { tags: {}, metadata: {} },
    };
  },
  get instance() {
    return {
      iterationsInterrupted: 0,
      iterationsCompleted: 0,
      vusActive: 1,
      vusInitialized: 1,
      currentTestRunDuration: 0,
    };
  },
  test: {
    abort(message?: string): never {
      shimState().aborted = message ?? 'aborted';
      throw new TestAborted(message ?? 'aborted');
    },
    fail(message?: string): void {
      shimState().callbackErrors.push(new Error(message ?? 'test.fail'));
    },
    options: { executionSegment: undefined as string | undefined },
  },
};

export default execution;
