/**
 * The gradients of the kernels polyak differentiates through, registered with tfjs on import.
 *
 * `@tensorflow/tfjs-core` defines no gradient in its Node entry: the full `@tensorflow/tfjs` package registers
 * them all. polyak depends on `tfjs-core` alone (a fraction of the install), so it registers its own for the
 * kernels its networks, losses and updates use. A kernel that already has a gradient (because the full
 * `@tensorflow/tfjs` was loaded first, say) keeps it: both compute the same tensors, with the same ops in the same
 * order (`gradients.test.ts` compares them bit for bit).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core'

type Grads = ReturnType<tf.GradConfig['gradFunc']>

const one = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => {
  if (Array.isArray(dy)) throw new Error('polyak gradients: a kernel with one output got several gradients')
  return dy
}

const pair = (saved: tf.Tensor[]): readonly [tf.Tensor, tf.Tensor] => {
  const [a, b] = saved
  if (a === undefined || b === undefined) throw new Error('polyak gradients: a binary kernel saved fewer than 2 inputs')
  return [a, b]
}

const first = (saved: tf.Tensor[]): tf.Tensor => {
  const [x] = saved
  if (x === undefined) throw new Error('polyak gradients: a kernel saved no tensor')
  return x
}

/** Sums a broadcast gradient back to the shape of the input it came from. */
const unbroadcast = (grad: tf.Tensor, shape: readonly number[]): tf.Tensor => {
  const axes = tf.backend_util.getReductionAxes(shape as number[], grad.shape)
  return axes.length > 0 ? tf.reshape(tf.sum(grad, axes), shape as number[]) : grad
}

/** Element-wise binary kernels: the gradient of each input is its local derivative, summed over broadcast axes. */
const binary = (
  kernelName: string,
  da: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  db: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
): tf.GradConfig => ({
  kernelName,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved): Grads => {
    const [a, b] = pair(saved)
    const g = one(dy)
    return { a: () => unbroadcast(da(g, a, b), a.shape), b: () => unbroadcast(db(g, a, b), b.shape) }
  },
})

/** Element-wise unary kernels whose derivative is written with the input `x`. */
const unaryOfInput = (kernelName: string, dx: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor): tf.GradConfig => ({
  kernelName,
  inputsToSave: ['x'],
  gradFunc: (dy, saved): Grads => {
    const x = first(saved)
    return { x: () => dx(one(dy), x) }
  },
})

/** Element-wise unary kernels whose derivative is written with the output `y`. */
const unaryOfOutput = (kernelName: string, dx: (dy: tf.Tensor, y: tf.Tensor) => tf.Tensor): tf.GradConfig => ({
  kernelName,
  outputsToSave: [true],
  gradFunc: (dy, saved): Grads => {
    const y = first(saved)
    return { x: () => dx(one(dy), y) }
  },
})

/** `Sum` and `Mean`: the gradient spreads `dy` over the reduced axes (divided by their size for the mean). */
const reduction = (kernelName: string, mean: boolean): tf.GradConfig => ({
  kernelName,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs): Grads => {
    const x = first(saved)
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape)
    const kept = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size))
    return {
      x: () => {
        const spread = tf.mul(tf.reshape(one(dy), kept), tf.ones(x.shape, 'float32'))
        if (!mean) return spread
        const count = axes.reduce((n, axis) => n * (x.shape[axis] ?? 1), 1)
        return tf.div(spread, count)
      },
    }
  },
})

const divGrad: tf.GradConfig = {
  kernelName: tf.RealDiv,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved): Grads => {
    const [a, b] = pair(saved)
    const g = one(dy)
    return {
      a: () => unbroadcast(tf.div(g, tf.cast(b, 'float32')), a.shape),
      // −dy·a / b², with dy·a summed to b's shape before the division
      b: () => tf.neg(tf.div(unbroadcast(tf.mul(g, tf.cast(a, 'float32')), b.shape), tf.cast(tf.square(b), 'float32'))),
    }
  },
}

const matMulGrad: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs): Grads => {
    const [a, b] = pair(saved)
    const g = one(dy)
    const transposeA = attrs.transposeA === true
    const transposeB = attrs.transposeB === true
    // d(A·B) with either factor stored transposed: each gradient is one product of dy with the other factor
    if (!transposeA && !transposeB) {
      return { a: () => tf.matMul(g, b, false, true), b: () => tf.matMul(a, g, true, false) }
    }
    if (!transposeA) return { a: () => tf.matMul(g, b, false, false), b: () => tf.matMul(g, a, true, false) }
    if (!transposeB) return { a: () => tf.matMul(b, g, false, true), b: () => tf.matMul(a, g, false, false) }
    return { a: () => tf.matMul(b, g, true, true), b: () => tf.matMul(g, a, true, true) }
  },
}

const reshapeGrad: tf.GradConfig = {
  kernelName: tf.Reshape,
  inputsToSave: ['x'],
  gradFunc: (dy, saved): Grads => {
    const x = first(saved)
    return { x: () => tf.reshape(one(dy), x.shape) }
  },
}

const concatGrad: tf.GradConfig = {
  kernelName: tf.Concat,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs): Grads => {
    const axis = tf.util.parseAxisParam(attrs.axis as number, first(saved).shape)[0] ?? 0
    const parts = tf.split(
      one(dy),
      saved.map((t) => t.shape[axis] ?? 0),
      axis,
    )
    return parts.map((part) => () => part) as unknown as Grads
  },
}

const sliceGrad: tf.GradConfig = {
  kernelName: tf.Slice,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs): Grads => {
    const x = first(saved)
    const [begin = [], size = []] = tf.slice_util.parseSliceParams(
      x,
      attrs.begin as number | number[],
      attrs.size as number | number[],
    )
    // the slice's gradient is dy put back where the slice came from, zeros elsewhere
    const paddings = x.shape.map((n, i): [number, number] => [begin[i] ?? 0, n - (begin[i] ?? 0) - (size[i] ?? 0)])
    return { x: () => tf.pad(one(dy), paddings) }
  },
}

const transposeGrad: tf.GradConfig = {
  kernelName: tf.Transpose,
  gradFunc: (dy, _saved, attrs): Grads => {
    const perm = attrs.perm as number[]
    const inverse = perm.map((_, i) => perm.indexOf(i))
    return { x: () => tf.transpose(one(dy), inverse) }
  },
}

const softmaxGrad: tf.GradConfig = {
  kernelName: tf.Softmax,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs): Grads => {
    const y = first(saved)
    const dim = attrs.dim as number
    return {
      logits: () => {
        const dyTimesY = tf.mul(one(dy), y)
        return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y))
      },
    }
  },
}

/** Which of two inputs a `Minimum`/`Maximum` passed on: ties go to `a`. */
const select = (kernelName: string, aWins: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.GradConfig =>
  binary(
    kernelName,
    (dy, a, b) => tf.mul(dy, tf.cast(aWins(a, b), 'float32')),
    (dy, a, b) => tf.mul(dy, tf.cast(tf.logicalNot(aWins(a, b)), 'float32')),
  )

/**
 * Every gradient polyak registers, one per kernel name.
 *
 * @example
 * import { polyakGradients } from '@polyak/core'
 *
 * const names = polyakGradients.map((config) => config.kernelName) // ['Add', 'Sub', …]
 */
export const polyakGradients: readonly tf.GradConfig[] = [
  binary(
    tf.Add,
    (dy) => dy,
    (dy) => dy,
  ),
  binary(
    tf.Sub,
    (dy) => dy,
    (dy) => tf.neg(dy),
  ),
  binary(
    tf.Multiply,
    (dy, _a, b) => tf.mul(dy, tf.cast(b, 'float32')),
    (dy, a) => tf.mul(dy, tf.cast(a, 'float32')),
  ),
  divGrad,
  binary(
    tf.SquaredDifference,
    (dy, a, b) => tf.mul(dy, tf.mul(tf.scalar(2), tf.sub(a, b))),
    (dy, a, b) => tf.mul(dy, tf.mul(tf.scalar(2), tf.sub(b, a))),
  ),
  select(tf.Minimum, (a, b) => tf.lessEqual(a, b)),
  select(tf.Maximum, (a, b) => tf.greaterEqual(a, b)),
  unaryOfInput(tf.Neg, (dy) => tf.neg(dy)),
  unaryOfInput(tf.Square, (dy, x) => tf.mul(dy, tf.mul(tf.cast(x, 'float32'), 2))),
  unaryOfInput(tf.Abs, (dy, x) => tf.mul(dy, tf.step(tf.cast(x, 'float32'), -1))),
  unaryOfInput(tf.Relu, (dy, x) => tf.mul(dy, tf.cast(tf.step(x), 'float32'))),
  unaryOfOutput(tf.Exp, (dy, y) => tf.mul(dy, y)),
  unaryOfInput(tf.Log, (dy, x) => tf.div(dy, tf.cast(x, 'float32'))),
  unaryOfInput(tf.Log1p, (dy, x) => tf.div(dy, tf.add(x, 1))),
  unaryOfInput(tf.Identity, (dy) => dy),
  unaryOfInput(tf.Cast, (dy) => tf.clone(dy)),
  unaryOfOutput(tf.Tanh, (dy, y) => tf.mul(tf.sub(tf.scalar(1), tf.square(y)), dy)),
  unaryOfOutput(tf.Sigmoid, (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y)))),
  unaryOfOutput(tf.Sqrt, (dy, y) => tf.div(dy, tf.mul(tf.cast(y, 'float32'), 2))),
  reduction(tf.Sum, false),
  reduction(tf.Mean, true),
  matMulGrad,
  reshapeGrad,
  concatGrad,
  sliceGrad,
  transposeGrad,
  softmaxGrad,
]

/**
 * Registers {@link polyakGradients} for each kernel that has no gradient yet, and returns the names it
 * registered. `@polyak/core` calls it when it is imported; call it again after `tf.removeBackend` or a test that
 * unregisters gradients.
 *
 * @example
 * import { registerPolyakGradients } from '@polyak/core'
 *
 * const added = registerPolyakGradients() // [] once they are in place
 */
export const registerPolyakGradients = (): readonly string[] =>
  polyakGradients.flatMap((config) => {
    if (tf.getGradient(config.kernelName) !== undefined) return []
    tf.registerGradient(config)
    return [config.kernelName]
  })

registerPolyakGradients()
