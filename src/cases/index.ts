/**
 * `gradproof/cases`: gradcase/1 files (docs/case-format.md): read one
 * strictly, build its network in the core, replay it against its expected
 * values.
 */
export { parseCase } from './parse.js';
export { buildModel } from './build.js';
export { replayCase, replayParsed, LOSS_RTOL, GRAD_RTOL, type CaseResult } from './replay.js';
export { replayFile, replayPaths, caseFiles } from './files.js';
export { CaseError, type GradCase, type CaseOp } from './types.js';
