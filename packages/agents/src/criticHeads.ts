/**
 * What a critic's output means: one value (DDPG, TD3) or a categorical return distribution (D4PG).
 *
 * @module criticHeads
 */
import * as tf from '@tensorflow/tfjs-core'
import { categoricalProjection } from './losses/categoricalProjection.js'
import { criticLoss } from './losses/criticLoss.js'
import { clippedDoubleQTarget } from './losses/tdTarget.js'

/**
 * The inputs every target needs, `[batch]` tensors: rewards, bootstrap discounts (γ or γᵐ) and the terminated flags.
 *
 * @example
 * ```ts
 * const inputs: TargetInputs = { rewards, discounts, terminated }
 * ```
 */
export interface TargetInputs {
  readonly rewards: tf.Tensor1D
  readonly discounts: tf.Tensor1D
  readonly terminated: tf.Tensor1D
}

/**
 * How a critic's `[batch, outputSize]` output turns into a value, a target and a loss. The update functions are
 * written against this record, so DDPG/TD3 (scalar) and D4PG (categorical) share them. All functions are pure
 * tensor maths called inside the update's `tf.tidy`.
 *
 * @example
 * ```ts
 * const networks = makeNetworks(spec, categoricalHead({ atoms: 51, vMin: -150, vMax: 150 }))
 * ```
 */
export interface CriticHead {
  /** Width of the critic's last layer. */
  readonly outputSize: number
  /** The expected value Q(s, a) of an output, `[batch]` (what the actor ascends). */
  readonly value: (output: tf.Tensor2D) => tf.Tensor1D
  /** The training target from the target critics' outputs at (s′, ã), `[batch, targetSize]`. */
  readonly target: (inputs: TargetInputs, nextOutputs: readonly tf.Tensor2D[]) => tf.Tensor2D
  /** The expected value of a target, `[batch]` (for metrics). */
  readonly targetValue: (target: tf.Tensor2D) => tf.Tensor1D
  /**
   * The loss of an output against a target, weighted by importance weights, and a per-sample error whose magnitude
   * is the sample's priority (δ for a scalar critic, the cross-entropy for a categorical one).
   */
  readonly loss: (
    output: tf.Tensor2D,
    target: tf.Tensor2D,
    weights?: tf.Tensor1D,
  ) => { readonly loss: tf.Scalar; readonly perSample: tf.Tensor1D }
  /**
   * For a distribution over a fixed support: the mean over the batch of the target mass whose shifted atom fell
   * outside the support before the projection (clipped onto an end atom). Above a few percent the support is too
   * narrow for the task. Absent for a scalar head.
   */
  readonly clippedMass?: (inputs: TargetInputs, nextOutputs: readonly tf.Tensor2D[]) => tf.Scalar
}

const column = (x: tf.Tensor2D): tf.Tensor1D => tf.reshape(x, [-1]) as tf.Tensor1D

/**
 * One value per (s, a): the target is `r + (1 − terminated)·discount·min_i Q′_i` (one target critic: DDPG; two:
 * TD3's clipped double Q) and the loss `mean(w·δ²)`.
 *
 * @example
 * ```ts
 * const networks = makeNetworks(spec) // scalarHead is the default
 * ```
 */
export const scalarHead: CriticHead = {
  outputSize: 1,
  value: column,
  target: (inputs, nextOutputs) =>
    tf.reshape(clippedDoubleQTarget(inputs, nextOutputs.map(column)), [-1, 1]) as tf.Tensor2D,
  targetValue: column,
  loss: (output, target, weights) => {
    const { loss, tdErrors } = criticLoss(column(output), column(target), weights)
    return { loss, perSample: tdErrors }
  },
}

/**
 * The support of {@link categoricalHead}: `atoms` values evenly spaced from `vMin` to `vMax`.
 *
 * @example
 * ```ts
 * supportOf({ atoms: 3, vMin: -1, vMax: 1 }) // [-1, 0, 1]
 * ```
 */
export const supportOf = (options: {
  readonly atoms: number
  readonly vMin: number
  readonly vMax: number
}): Float32Array =>
  Float32Array.from({ length: options.atoms }, (_, i) =>
    options.atoms === 1 ? options.vMin : options.vMin + (i * (options.vMax - options.vMin)) / (options.atoms - 1),
  )

/**
 * A categorical return distribution over `atoms` evenly spaced values in [vMin, vMax] (C51, D4PG): the critic outputs
 * logits; the value is `Σ softmax(logits)_i z_i`; the target is the projection of `r + discount·(1 − terminated)·Z′`
 * onto the support ({@link categoricalProjection}), where Z′ is the target critic's distribution (with several
 * target critics, per sample the one of smallest mean: a distributional clipped double Q); the loss is the
 * cross-entropy `−Σ target·log softmax(logits)`, weighted by importance weights, whose per-sample value is D4PG's
 * priority.
 *
 * @throws RangeError when atoms < 2 or vMin ≥ vMax
 *
 * @example
 * ```ts
 * const head = categoricalHead({ atoms: 51, vMin: -1600, vMax: 0 }) // Pendulum's returns lie in [−1630, 0]
 * ```
 */
export const categoricalHead = (options: {
  readonly atoms: number
  readonly vMin: number
  readonly vMax: number
}): CriticHead => {
  const { atoms, vMin, vMax } = options
  if (!Number.isInteger(atoms) || atoms < 2) throw new RangeError(`categoricalHead: atoms must be >= 2, got ${atoms}`)
  if (!(vMin < vMax)) throw new RangeError(`categoricalHead: need vMin < vMax, got ${vMin} and ${vMax}`)
  const support = supportOf(options)
  const expectation = (probabilities: tf.Tensor2D): tf.Tensor1D =>
    tf.sum(tf.mul(probabilities, tf.tensor1d(support)), 1) as tf.Tensor1D
  /** Per sample, the target critic's distribution of smallest mean at (s′, ã). */
  const nextDistribution = (nextOutputs: readonly tf.Tensor2D[]): tf.Tensor2D => {
    const [first, ...rest] = nextOutputs.map((logits) => tf.softmax(logits) as tf.Tensor2D)
    if (first === undefined) throw new Error('categoricalHead: needs at least one target critic')
    return rest.reduce<tf.Tensor2D>((best, p) => {
      const smaller = tf.expandDims(tf.less(expectation(p), expectation(best)), 1)
      return tf.where(tf.tile(smaller, [1, atoms]), p, best) as tf.Tensor2D
    }, first)
  }
  const bootstrapOf = ({ discounts, terminated }: TargetInputs) =>
    tf.mul(discounts, tf.sub(1, terminated)) as tf.Tensor1D
  return {
    outputSize: atoms,
    value: (logits) => expectation(tf.softmax(logits)),
    target: (inputs, nextOutputs) =>
      categoricalProjection(tf.tensor1d(support), nextDistribution(nextOutputs), inputs.rewards, bootstrapOf(inputs)),
    clippedMass: (inputs, nextOutputs) => {
      // shifted atoms r + d·z_j, [batch, atoms]; their mass outside [vMin, vMax] lands on an end atom
      const shifted = tf.add(tf.expandDims(inputs.rewards, 1), tf.mul(tf.expandDims(bootstrapOf(inputs), 1), support))
      // float32 rounding at the ends is not clipping: a few ulps of the ends' magnitude, and a sliver of the width
      const slack = 1e-4 * (vMax - vMin) + 1e-6 * Math.max(Math.abs(vMin), Math.abs(vMax))
      const outside = tf.logicalOr(tf.less(shifted, vMin - slack), tf.greater(shifted, vMax + slack))
      return tf.mean(tf.sum(tf.mul(nextDistribution(nextOutputs), tf.cast(outside, 'float32')), 1)) as tf.Scalar
    },
    targetValue: expectation,
    loss: (logits, target, weights) => {
      const perSample = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)) as tf.Tensor1D
      const loss = tf.mean(weights === undefined ? perSample : tf.mul(weights, perSample)) as tf.Scalar
      return { loss, perSample }
    },
  }
}
