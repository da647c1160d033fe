/**
 * The two small computations of every scalar critic update, each one kernel on the native backend (ADR 0018):
 * the bootstrapped target `r + (1 − terminated)·discount·min_i v_i` and the weighted squared error with its
 * gradient. Elsewhere they are the tfjs ops they replace; on native the same float32 operations in the same order,
 * so both give the same bits on every backend that runs those ops alike.
 *
 * @module tdOps
 */
import * as tf from '@tensorflow/tfjs-core'
import { mayNeedGradient } from './gradientScope.js'
import { nativeKernelsActive } from './native.js'

const TARGET_KERNEL = 'PolyakBootstrapTarget'
const ERROR_KERNEL = 'PolyakSquaredError'
const WEIGHTED_ERROR_KERNEL = 'PolyakWeightedSquaredError'
const ERROR_GRAD_KERNEL = 'PolyakSquaredErrorGrad'

/** The part of the wasm backend these kernels use (its tensors live in one Float32Array heap). */
interface HeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }

const f32 = Math.fround

// y = r + ((1 − d)·γ)·min_i v_i, as tdTarget's ops: sub, mul, mul, add, each rounded to float32; min as wasm's
// Minimum (`b < a ? b : a`: a NaN in the first value stays, one in a later value is passed over).
const bootstrapKernel = (args: KernelArgs): tf.TensorInfo => {
  const backend = args.backend as HeapBackend
  const inputs = args.inputs as Record<string, tf.TensorInfo>
  const count = Number(args.attrs?.count ?? 1)
  const rewards = inputs.rewards as tf.TensorInfo
  const out = backend.makeOutput([...rewards.shape], 'float32')
  const view = (info: tf.TensorInfo | undefined) => backend.typedArrayFromHeap(info as tf.TensorInfo)
  const [y, r, d, t] = [view(out), view(rewards), view(inputs.discounts), view(inputs.terminated)]
  const values = Array.from({ length: count }, (_, i) => view(inputs[`v${i}`]))
  const first = values[0] as Float32Array
  for (let j = 0; j < y.length; j++) {
    let smallest = first[j] as number
    for (let i = 1; i < count; i++) {
      const v = (values[i] as Float32Array)[j] as number
      if (v < smallest) smallest = v
    }
    const bootstrap = f32(f32(1 - (t[j] as number)) * (d[j] as number))
    y[j] = f32((r[j] as number) + f32(bootstrap * smallest))
  }
  return out
}

// loss = mean(w·(t − p)²) (sequential float32 sum, then / n, as wasm's Mean), errors = t − p
const errorKernel = (args: KernelArgs): tf.TensorInfo[] => {
  const backend = args.backend as HeapBackend
  const inputs = args.inputs as Record<string, tf.TensorInfo>
  const predicted = inputs.predicted as tf.TensorInfo
  const loss = backend.makeOutput([], 'float32')
  const errors = backend.makeOutput([...predicted.shape], 'float32')
  const p = backend.typedArrayFromHeap(predicted)
  const t = backend.typedArrayFromHeap(inputs.targets as tf.TensorInfo)
  const w = inputs.weights === undefined ? undefined : backend.typedArrayFromHeap(inputs.weights)
  const e = backend.typedArrayFromHeap(errors)
  let sum = 0
  for (let j = 0; j < e.length; j++) {
    const delta = f32((t[j] as number) - (p[j] as number))
    e[j] = delta
    const squared = f32(delta * delta)
    sum = f32(sum + (w === undefined ? squared : f32((w[j] as number) * squared)))
  }
  backend.typedArrayFromHeap(loss)[0] = f32(sum / e.length)
  return [loss, errors]
}

// d loss / d predicted, as tfjs' gradients of mean, mul, square and sub: g = (dy·1)/n, then −(g·w)·(2δ) (no w: −g·2δ)
const errorGradKernel = (args: KernelArgs): tf.TensorInfo => {
  const backend = args.backend as HeapBackend
  const inputs = args.inputs as Record<string, tf.TensorInfo>
  const errors = inputs.errors as tf.TensorInfo
  const out = backend.makeOutput([...errors.shape], 'float32')
  const e = backend.typedArrayFromHeap(errors)
  const w = inputs.weights === undefined ? undefined : backend.typedArrayFromHeap(inputs.weights)
  const dy = backend.typedArrayFromHeap(inputs.dy as tf.TensorInfo)[0] as number
  const g = f32(f32(dy * 1) / e.length)
  const dp = backend.typedArrayFromHeap(out)
  for (let j = 0; j < e.length; j++) {
    const scale = w === undefined ? g : f32(g * (w[j] as number))
    dp[j] = -f32(scale * f32((e[j] as number) * 2))
  }
  return out
}

const isZero = (t: tf.Tensor): boolean => (t.dataSync() as Float32Array).every((v) => v === 0)

// Registered on first use, in tfjs' own (process-wide) registries, which also say whether that happened.
const registerKernels = (): void => {
  if (tf.getKernel(ERROR_GRAD_KERNEL, 'wasm') !== undefined) return
  for (const [kernelName, kernelFunc] of [
    [TARGET_KERNEL, bootstrapKernel],
    [ERROR_KERNEL, errorKernel],
    [WEIGHTED_ERROR_KERNEL, errorKernel],
    [ERROR_GRAD_KERNEL, errorGradKernel],
  ] as const) {
    if (tf.getKernel(kernelName, 'wasm') === undefined)
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc })
  }
  // Two kernel names, because what tfjs saves for the gradient is fixed per kernel: the errors, and the weights.
  for (const kernelName of [ERROR_KERNEL, WEIGHTED_ERROR_KERNEL]) {
    const weighted = kernelName === WEIGHTED_ERROR_KERNEL
    if (tf.getGradient(kernelName) !== undefined) continue
    tf.registerGradient({
      kernelName,
      inputsToSave: weighted ? ['weights'] : [],
      outputsToSave: [false, true],
      gradFunc: (dys, saved) => {
        // tfjs passes zeros for an output no gradient reached (the errors, when only the loss is differentiated)
        const [dyLoss, dyErrors] = (dys as Array<tf.Tensor | null | undefined>).map((d) =>
          d === null || d === undefined || isZero(d) ? undefined : d,
        )
        const errors = saved[saved.length - 1] as tf.Tensor1D
        const weights = weighted ? (saved[0] as tf.Tensor1D) : undefined
        // d loss / d predicted in one kernel: what the critic's backward pass starts from
        const fromLoss = (dy: tf.Tensor) =>
          tf
            .engine()
            .runKernel(ERROR_GRAD_KERNEL, weights === undefined ? { dy, errors } : { dy, errors, weights }) as tf.Tensor
        // d/d errors: of the loss, plus any gradient that reached the errors output directly
        const dErrors = () => {
          const viaLoss = dyLoss === undefined ? tf.zerosLike(errors) : tf.neg(fromLoss(dyLoss))
          return dyErrors === undefined ? viaLoss : tf.add(viaLoss, dyErrors)
        }
        return {
          predicted: () => (dyErrors === undefined && dyLoss !== undefined ? fromLoss(dyLoss) : tf.neg(dErrors())),
          targets: dErrors,
          // as mean's and mul's gradients: (dy / n)·(t − p)²
          weights: () =>
            dyLoss === undefined
              ? tf.zerosLike(errors)
              : tf.mul(tf.div(tf.reshape(dyLoss, [1]), errors.size), tf.square(errors)),
        }
      },
    })
  }
}

const isVector = (t: tf.Tensor | undefined, size: number): boolean =>
  t === undefined || (t.dtype === 'float32' && t.rank === 1 && t.size === size)

/**
 * The bootstrapped TD target `r + (1 − terminated)·discount·min_i v_i` (one value: DDPG's target; two: TD3's clipped
 * double Q). Truncation is not termination: only `terminated` stops the bootstrap. On the native backend one kernel,
 * unless a gradient is being taken through it; elsewhere tfjs ops. Same bits either way.
 *
 * @param inputs - `[batch]` rewards, bootstrap discounts (γ, or γᵐ after m steps) and terminated flags (1 or 0)
 * @param nextValues - one or more `[batch]` values of the next state, e.g. the target critics' Q′(s′, ã)
 * @throws Error when `nextValues` is empty
 *
 * @example
 * ```ts
 * const rewards = tf.tensor1d([1, 1])
 * const y = bootstrapTarget(
 *   { rewards, discounts: tf.tensor1d([0.9, 0.9]), terminated: tf.tensor1d([0, 1]) },
 *   [tf.tensor1d([10, 10]), tf.tensor1d([5, 20])],
 * ) // [5.5, 1]
 * ```
 */
export const bootstrapTarget = (
  inputs: { readonly rewards: tf.Tensor1D; readonly discounts: tf.Tensor1D; readonly terminated: tf.Tensor1D },
  nextValues: readonly tf.Tensor1D[],
): tf.Tensor1D => {
  const [first, ...rest] = nextValues
  if (first === undefined) throw new Error('bootstrapTarget: needs at least one next value')
  const { rewards, discounts, terminated } = inputs
  const all = [rewards, discounts, terminated, ...nextValues]
  const fused = nativeKernelsActive() && all.every((t) => isVector(t, rewards.size)) && !mayNeedGradient(all)
  if (fused) {
    registerKernels()
    const named: tf.NamedTensorMap = { rewards, discounts, terminated }
    nextValues.forEach((v, i) => {
      named[`v${i}`] = v
    })
    return tf.engine().runKernel(TARGET_KERNEL, named, { count: nextValues.length }) as tf.Tensor1D
  }
  const smallest = rest.reduce<tf.Tensor1D>((min, v) => tf.minimum(min, v), first)
  return tf.add(rewards, tf.mul(tf.mul(tf.sub(1, terminated), discounts), smallest))
}

/**
 * The weighted mean squared error `mean(w·(t − p)²)` (no weights: w = 1) and the per-sample errors `t − p` (TD
 * errors, whose magnitudes are prioritized replay's priorities). Both are differentiable. On the native backend one
 * kernel forward and one backward; elsewhere tfjs ops. Same bits either way.
 *
 * @param predicted - `[batch]` predictions, e.g. Q(s, a)
 * @param targets - `[batch]` targets, e.g. from {@link bootstrapTarget}
 * @param weights - `[batch]` importance weights (prioritized replay), or none
 *
 * @example
 * ```ts
 * const { loss, errors } = squaredError(tf.tensor1d([1, 2]), tf.tensor1d([2, 4])) // loss 2.5, errors [1, 2]
 * ```
 */
export const squaredError = (
  predicted: tf.Tensor1D,
  targets: tf.Tensor1D,
  weights?: tf.Tensor1D,
): { readonly loss: tf.Scalar; readonly errors: tf.Tensor1D } => {
  const size = predicted.size
  if (nativeKernelsActive() && size > 0 && [predicted, targets, weights].every((t) => isVector(t, size))) {
    registerKernels()
    const named: tf.NamedTensorMap = weights === undefined ? { predicted, targets } : { predicted, targets, weights }
    const kernel = weights === undefined ? ERROR_KERNEL : WEIGHTED_ERROR_KERNEL
    const [loss, errors] = tf.engine().runKernel(kernel, named) as [tf.Scalar, tf.Tensor1D]
    return { loss, errors }
  }
  const errors = tf.sub<tf.Tensor1D>(targets, predicted)
  const squared = tf.square(errors)
  const loss = tf.mean(weights === undefined ? squared : tf.mul(weights, squared)) as tf.Scalar
  return { loss, errors }
}
