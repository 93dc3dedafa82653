import { Matrix } from 'ml-matrix';
import { autoencoder } from '../src/core/builders.js';
import { evaluate } from '../src/core/network.js';
import { sgd } from '../src/core/optimizers.js';
import { Rng } from '../src/core/rng.js';
import { table } from '../src/cli/format.js';
import { timePerCall, fmt } from './timing.js';

/**
 * Training throughput of a 784-256-64-256-784 sigmoid autoencoder, batch 64:
 * one step = forward, backward, SGD update. The baseline, measured in the
 * same run, is the same step's six matrix products done by ml-matrix alone
 * (no activations, no update), i.e. a lower bound on an ml-matrix-based core.
 */
export function benchTraining(log: (s: string) => void): void {
  const batch = 64;
  const sizes = [784, 256, 64];
  const model = autoencoder({ input: 784, hidden: sizes.slice(1), activation: 'sigmoid', output: 'sigmoid', seed: 3 });
  const rng = new Rng(4);
  const x = { shape: [batch, 784], data: Float64Array.from({ length: batch * 784 }, () => rng.uniform()) };
  const opt = sgd({ lr: 0.01 });
  const step = (): void => {
    const r = evaluate(model, x, x);
    opt.step(model.params, r.grads);
  };
  const tStep = timePerCall(step, 0.5);

  // ml-matrix baseline: forward X·W for each of the 4 layers, plus Xᵀ·dY and dY·Wᵀ for each.
  const widths = [784, 256, 64, 256, 784];
  const mats = widths.slice(1).map((w, l) => Matrix.rand(widths[l]!, w));
  const acts = widths.map((w) => Matrix.rand(batch, w));
  const products = (): void => {
    for (let l = 0; l < 4; l++) {
      acts[l]!.mmul(mats[l]!); // forward
      acts[l]!.transpose().mmul(acts[l + 1]!); // dW
      acts[l + 1]!.mmul(mats[l]!.transpose()); // dX
    }
  };
  const tMl = timePerCall(products, 0.5, 3);
  log(`training, 784-256-64-256-784 sigmoid autoencoder, batch ${batch}, SGD`);
  log(
    table(
      ['what', 'ms/step', 'examples/s', 'ratio'],
      [
        ['gradproof step (forward+backward+update)', fmt(tStep * 1e3), fmt(batch / tStep, 0), fmt(tMl / tStep) + '×'],
        ['ml-matrix: the same 12 matrix products only', fmt(tMl * 1e3), fmt(batch / tMl, 0), '1.00×'],
      ],
    ),
  );
}
