/**
 * The lecture derivations (docs/derivations.md), one module per
 * topic. Each module exports pure functions, `symbolicForms` (math.js
 * expressions of its scalar closed forms) and `targets` (gradient checks for
 * `gradproof check`).
 */
import * as weightDecay from './weight-decay.js';
import * as regularizedOptimum from './regularized-optimum.js';
import * as klSparsity from './kl-sparsity.js';
import * as tiedWeights from './tied-weights.js';
import * as batchnorm from './batchnorm.js';
import * as jacobianBackprop from './jacobian-backprop.js';
import * as autoencoderFacts from './autoencoder-facts.js';
import * as dropout from './dropout.js';
import * as optimizers from './optimizers.js';
import * as vaeGan from './vae-gan.js';
import type { DerivationTarget, SymbolicForm } from './types.js';

export { weightDecay, regularizedOptimum, klSparsity, tiedWeights, batchnorm, jacobianBackprop, autoencoderFacts, dropout, optimizers, vaeGan };
export type { DerivationTarget, SymbolicForm } from './types.js';

const topics = { weightDecay, regularizedOptimum, klSparsity, tiedWeights, batchnorm, jacobianBackprop, autoencoderFacts, dropout, optimizers, vaeGan };

/** Every derivation's gradient-check target, topic by topic. */
export function derivationTargets(): DerivationTarget[] {
  return Object.values(topics).flatMap((t) => t.targets);
}

/** Every scalar closed form, topic by topic. */
export function symbolicForms(): SymbolicForm[] {
  return Object.values(topics).flatMap((t) => t.symbolicForms);
}
