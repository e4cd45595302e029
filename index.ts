/** capsim's programmatic API: the CLI is a thin layer over these exports. */
export { CapsimError, ExitCode, formatError, type InputProblem } from './common/errors.js';
