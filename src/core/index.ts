/**
 * `gradproof/core`: the training core. Tensors (a flat Float64Array and a
 * shape) and their kernels, the ops with their backward passes and their
 * registry, losses, penalties, models, builders, optimisers and training.
 */

// Tensors and kernels
export type { Tensor } from './tensor.js';
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
} from './tensor.js';
export { matmul, matmulTA, matmulTB, matmulColumns } from './matmul.js';
export { Rng } from './rng.js';

// Parameters
export type { Params } from './params.js';
export { zeroGrads, cloneParams, copyParamsInto, flattenParams, unflattenInto, paramCount } from './params.js';

// Ops
export type { Op, Step, Env, Columns } from './ops/op.js';
export { dense, type DenseOptions } from './ops/dense.js';
export {
  activation,
  leakyRelu,
  elementwise,
  activationRules,
  sigmoidScalar,
  softplusScalar,
  type ActivationName,
  type ElementwiseRule,
} from './ops/activations.js';
export { softmax, softmaxRows } from './ops/softmax.js';
export { gelu, erf, geluRules, GELU_APPROXIMATIONS, type GeluApproximation } from './ops/gelu.js';
export { layerNorm, type LayerNormOptions } from './ops/layernorm.js';
export { OPS, opEntries, opEntry, createOp, type OpKind, type OpSpec } from './ops/registry.js';
export { opProblem, NO_FIELDS, type OpEntry, type OpSpecBase } from './ops/entry.js';
export type { Fields, Range, SpecReader, Words } from './spec.js';
export { smallDims, type Problem, type ProblemMaker } from './problem.js';
export { randomTensor, uniformTensor, awayFromZero } from './random.js';
export { TensorLayout, multiIndex, namedEntries, type Slot, type Named } from './layout.js';
export { batchNorm, type BatchNormOptions, type BatchNormOp } from './ops/batchnorm.js';
export { dropout, type DropoutOptions } from './ops/dropout.js';

// Losses and penalties
export { lossForward, LOSS_REDUCTIONS, LOSSES, type LossSpec, type LossName, type Reduction, type LossResult, type LossEntry } from './losses.js';
export {
  paramPenalty,
  activationPenalty,
  bernoulliKl,
  isActivationPenalty,
  PENALTIES,
  penaltyEntries,
  type PenaltyEntry,
  type Penalty,
  type ParamPenalty,
  type ActivationPenalty,
} from './penalties.js';

// Models and training
export { evaluate, predict, forwardAll, validateModel, type Model, type Evaluation, type EvaluateOptions } from './network.js';
export { entryObjective, type EntryObjective } from './incremental.js';
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
} from './builders.js';
export { sgd, momentum, nesterov, adagrad, rmsprop, adam, type Optimizer, type OptimizerOptions } from './optimizers.js';
export { train, type TrainOptions, type TrainResult, type EpochRecord } from './train.js';

