/**
 * Adding scaled noise to a batch of actions and clipping them to their box: TD3's target smoothing, one kernel on the
 * native backend (ADR 0018).
 *
 * @module perturbWithin
 */
import * as tf from '@tensorflow/tfjs-core'
import { mayNeedGradient } from './gradientScope.js'
import { nativeKernelsActive } from './native.js'

const KERNEL = 'PolyakPerturbWithin'

/**
 * A bound of {@link perturbWithin}: one number for every column, or one per column.
 *
 * @example
 * ```ts
 * const everyColumn: ColumnBound = 1
 * const perColumn: ColumnBound = [1, 0.5]
 * ```
 */
export type ColumnBound = number | readonly number[]

interface HeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
}

const f32 = Math.fround

// y = min(max(x + noise·scale, low), high) per element, as the tfjs ops: mul, add, then Maximum (`a < b ? b : a`) and
// Minimum (`b < a ? b : a`), each rounded to float32; a NaN in x stays NaN.
const kernel = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo => {
  const backend = args.backend as HeapBackend
  const x = args.inputs.x as tf.TensorInfo
  const attrs = args.attrs as unknown as Record<'noise' | 'scale' | 'low' | 'high', Float32Array>
  const out = backend.makeOutput([...x.shape], 'float32')
  const xs = backend.typedArrayFromHeap(x)
  const ys = backend.typedArrayFromHeap(out)
  const { noise, scale, low, high } = attrs
  const columns = x.shape[1] as number
  for (let i = 0; i < ys.length; i++) {
    const j = i % columns
    const noisy = f32((xs[i] as number) + f32((noise[i] as number) * (scale[j] as number)))
    const lo = low[j] as number
    const hi = high[j] as number
    // biome-ignore lint/complexity/useMathMinMax: tfjs' Maximum, not Math.max (which differs at NaN and ±0)
    const above = noisy < lo ? lo : noisy
    // biome-ignore lint/complexity/useMathMinMax: tfjs' Minimum, not Math.min
    ys[i] = hi < above ? hi : above
  }
  return out
}

const columnValues = (bound: ColumnBound, columns: number, what: string): Float32Array => {
  if (typeof bound === 'number') return new Float32Array(columns).fill(bound)
  if (bound.length !== columns)
    throw new RangeError(`perturbWithin: ${what} has ${bound.length} entries, the actions have ${columns} columns`)
  return Float32Array.from(bound)
}

const asTensor = (bound: ColumnBound): tf.Tensor =>
  typeof bound === 'number' ? tf.scalar(bound) : tf.tensor1d([...bound])

/**
 * `clip(x + scale·noise, low, high)` for a `[batch, columns]` tensor and `batch·columns` noise values (row-major),
 * with `scale`, `low` and `high` given for every column or per column. On the native backend one kernel (the noise
 * is read where it lies, never uploaded), unless a gradient is taken through it; elsewhere tfjs ops. Same bits either
 * way.
 *
 * @throws RangeError when the noise or a per-column bound does not match the shape of `x`
 *
 * @example
 * ```ts
 * const a = tf.tensor2d([[0.9, -0.2]])
 * const y = perturbWithin(a, Float32Array.of(0.5, 0.1), { scale: [1, 2], low: -1, high: 1 }) // [[1, 0]]
 * ```
 */
export const perturbWithin = (
  x: tf.Tensor2D,
  noise: Float32Array,
  bounds: { readonly scale: ColumnBound; readonly low: ColumnBound; readonly high: ColumnBound },
): tf.Tensor2D => {
  const [rows, columns] = x.shape
  if (noise.length !== rows * columns)
    throw new RangeError(`perturbWithin: ${noise.length} noise values for a [${rows}, ${columns}] tensor`)
  const [scale, low, high] = (['scale', 'low', 'high'] as const).map((what) =>
    columnValues(bounds[what], columns, what),
  ) as [Float32Array, Float32Array, Float32Array]
  if (nativeKernelsActive() && x.dtype === 'float32' && !mayNeedGradient([x])) {
    if (tf.getKernel(KERNEL, 'wasm') === undefined)
      tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc })
    const attrs = { noise, scale, low, high } as unknown as tf.NamedAttrMap
    return tf.engine().runKernel(KERNEL, { x }, attrs) as tf.Tensor2D
  }
  return tf.tidy(() => {
    const noisy = tf.add(x, tf.mul(tf.tensor2d(noise, [rows, columns]), asTensor(bounds.scale)))
    return tf.minimum(tf.maximum(noisy, asTensor(bounds.low)), asTensor(bounds.high)) as tf.Tensor2D
  })
}
