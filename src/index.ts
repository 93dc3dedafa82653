/**
 * gradproof's public surface. Everything a user imports comes from here.
 */

// Tensors and kernels
export type { Tensor } from './core/tensor.js';
export {
  tensor,
  zeros,
  zerosLike,
  fromRows,
  toRows,
  clone,
  transpose,
  addRowVector,
  sumRowsInto,
  colMeans,
  rowSums,
  gatherRows,
  sizeOf,
} from './core/tensor.js';
export { matmul, matmulTA, matmulTB } from './core/matmul.js';
export { Rng } from './core/rng.js';

// Parameters
export type { Params } from './core/params.js';
export { zeroGrads, cloneParams, copyParamsInto, flattenParams, unflattenInto, paramCount } from './core/params.js';

// Ops
export type { Op, Step, Env } from './core/ops/op.js';
export { dense, type DenseOptions } from './core/ops/dense.js';
export {
  activation,
  leakyRelu,
  elementwise,
  activationRules,
  sigmoidScalar,
  softplusScalar,
  type ActivationName,
  type ElementwiseRule,
} from './core/ops/activations.js';
export { softmax, softmaxRows } from './core/ops/softmax.js';
export { batchNorm, type BatchNormOptions, type BatchNormOp } from './core/ops/batchnorm.js';
export { dropout, type DropoutOptions } from './core/ops/dropout.js';

// Losses and penalties
export { lossForward, LOSS_REDUCTIONS, type LossSpec, type LossName, type Reduction, type LossResult } from './core/losses.js';
export {
  paramPenalty,
  activationPenalty,
  bernoulliKl,
  isActivationPenalty,
  type Penalty,
  type ParamPenalty,
  type ActivationPenalty,
} from './core/penalties.js';

// Models and training
export { evaluate, predict, forwardAll, validateModel, type Model, type Evaluation, type EvaluateOptions } from './core/network.js';
export {
  mlp,
  autoencoder,
  denoisingAutoencoder,
  linearRegression,
  corrupt,
  type MlpOptions,
  type AutoencoderOptions,
  type Corruption,
  type DenoisingAutoencoder,
  type ActivationChoice,
} from './core/builders.js';
export { sgd, momentum, nesterov, adagrad, rmsprop, adam, type Optimizer, type OptimizerOptions } from './core/optimizers.js';
export { train, type TrainOptions, type TrainResult, type EpochRecord } from './core/train.js';

// Case files
export { parseCase } from './cases/parse.js';
export { buildModel } from './cases/build.js';
export { replayCase, replayParsed, LOSS_RTOL, GRAD_RTOL, type CaseResult } from './cases/replay.js';
export { replayFile, replayPaths, caseFiles } from './cases/files.js';
export { CaseError, type GradCase, type CaseOp } from './cases/types.js';

// The gradient checker
export {
  checkGradient,
  type CheckResult,
  type Failure,
  type Kink,
  type EntryRecord,
} from './check/gradient.js';
export { type CheckOptions, type CheckMode, type Precision } from './check/options.js';
export { checkJacobian, type JacobianOptions, type JacobianResult, type VectorFn, type VjpFn } from './check/jacobian.js';
export {
  checkParams,
  checkModel,
  multiIndex,
  type NamedTensors,
  type NamedGradients,
  type ParamsCheckResult,
  type ParamSummary,
} from './check/params.js';
export { assertGradient, GradientCheckError } from './check/assert.js';
export { formatResult } from './check/format.js';
export { taylorTest, type TaylorOptions, type TaylorResult } from './check/taylor.js';
export { gradproofMatchers, type GradproofMatchers } from './check/matchers.js';
export {
  shapeArb,
  tensorArb,
  matrixArb,
  probabilityArb,
  positiveDefiniteArb,
  type ShapeOptions,
  type ValueOptions,
  type ProbabilityOptions,
  type PositiveDefiniteOptions,
} from './check/arbitraries.js';
export { differentiate, type Derivative, type Estimate } from './check/difference.js';
export type { ScalarFn, GradFn } from './check/guard.js';

// The lecture derivations, one namespace per topic (see src/derivations/index.ts)
export {
  weightDecay,
  regularizedOptimum,
  klSparsity,
  tiedWeights,
  batchnorm,
  jacobianBackprop,
  autoencoderFacts,
  dropout as dropoutDerivation,
  optimizers as optimizerRules,
  vaeGan,
  derivationTargets,
  symbolicForms,
  type DerivationTarget,
  type SymbolicForm,
} from './derivations/index.js';


// The coursework grader
export type {
  Value as GradeValue,
  ArgSpec,
  ResultSpec,
  ValueSpec,
  GeneratorSpec,
  Tolerance,
  TestSpec,
  ExerciseSpec,
  Counterexample,
  TestResult,
  FormResult,
  ExerciseResult,
  GradeReport,
} from './grade/types.js';
export { loadCatalog, selectExercises, validateSpec, compileExercise, defaultCatalogDir, CatalogError, type Catalog, type Exercise } from './grade/catalog.js';
export { references, getReference, type Reference, type PrimalCheck } from './grade/references.js';
export { parseAnswer, disallowed, symbolicEqual, evaluateExpression, normalizeExpression, ALLOWED_FUNCTIONS, type CompiledExpression } from './grade/expressions.js';
export { generatorArb, entryArb, GeneratorSpecError } from './grade/generators.js';
export { compareValues, diagnose, formatValue, type Comparison } from './grade/values.js';
export { runTest, gradeForm, testSeed, type Answer, type Outcome, type ScoreOptions } from './grade/score.js';
export { gradeSubmission, DEFAULT_LIMITS, type GradeOptions, type SandboxApi } from './grade/grader.js';
export { toGradescope, toJunit, toJson, toText, GRADE_FORMATS, type GradeFormat, type GradescopeResults } from './grade/formats.js';
export { toHtml, classReportHtml, summarizeClass } from './grade/html.js';
export { gradeBatch, gradebookCsv, writeBatchOutputs, submissionFolders, type BatchOptions } from './grade/batch.js';
