/**
 * `gradproof`: the gradient checker. Finite differences with error bounds,
 * kinks, directional checks with localisation, named tensors, Jacobians and
 * the Taylor test; `check*` returns a result, `assert*` throws it formatted.
 * The training core is `gradproof/core`; the matchers `gradproof/vitest`.
 */
export { checkGradient, type CheckResult, type CheckVerdict, type Failure, type Kink, type EntryRecord, type Unresolved } from './check/gradient.js';
export { type CheckOptions, type CheckMode, type Precision } from './check/options.js';
export { checkJacobian, type JacobianEntry, type JacobianOptions, type JacobianResult, type VectorFn, type VjpFn } from './check/jacobian.js';
export {
  checkParams,
  checkModel,
  multiIndex,
  type NamedTensors,
  type NamedGradients,
  type Gradient,
  type GradientsFor,
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
export type { ScalarFn, GradFn } from './check/guard.js';
export type { Tensor } from './core/tensor.js';
export {
  checkJvp,
  checkHessianVector,
  MAX_OUTPUTS_LOCALIZED,
  type ForwardFn,
  type JvpFn,
  type JvpOptions,
  type JvpResult,
  type WrongOutput,
} from './check/jvp.js';
export {
  checkOp,
  assertOp,
  formatOpResult,
  type OpUnderTest,
  type OpEnv,
  type OpDims,
  type CheckOpOptions,
  type CheckOpResult,
  type OpCounterexample,
} from './check/op.js';
