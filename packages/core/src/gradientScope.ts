/**
 * Which inputs of a fused kernel need a gradient (ADR 0018). tfjs asks a custom gradient for the gradient of every
 * input, then uses only those on a path from the tensors it differentiates with respect to. {@link valueAndGradsOf}
 * records what it differentiates with respect to; a fused kernel asks {@link needsGradient} and skips the rest (the
 * critic update never needs a critic's input gradient, the actor update never needs the critic's weight gradients).
 *
 * Internal to `@polyak/core`: not exported from the package.
 *
 * @module gradientScope
 */
import * as tf from '@tensorflow/tfjs-core'

interface Scope {
  /** Ids of the tensors differentiated with respect to. */
  readonly watched: ReadonlySet<number>
  /** Every tensor made inside the scope has an id at least this (tfjs numbers tensors in order). */
  readonly firstId: number
  /** tfjs' gradient depth inside the scope: at another depth a nested `tf.grads` is running, and all are needed. */
  readonly depth: number
}

const scopes: Scope[] = []

type EngineInternals = { nextTensorId?: () => number; state?: { gradientDepth?: number } }

const engine = (): EngineInternals => tf.engine() as unknown as EngineInternals

const gradientDepth = (): number | undefined => engine().state?.gradientDepth

/**
 * Runs `f(...xs)` as the function tfjs differentiates with respect to `xs`, recording them: call it inside the
 * function given to `tf.valueAndGrads` / `tf.grads`, with the very tensors tfjs passes in.
 *
 * @example
 * ```ts
 * const { grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => withGradientScope(xs, () => loss(xs)))(params)
 * ```
 */
export const withGradientScope = <T>(xs: readonly tf.Tensor[], f: () => T): T => {
  const e = engine()
  const depth = gradientDepth()
  if (typeof e.nextTensorId !== 'function' || depth === undefined) return f()
  // A tensor on a path from xs is one of xs or made by a kernel run inside f, so after this id.
  scopes.push({ watched: new Set(xs.map((x) => x.id)), firstId: e.nextTensorId(), depth })
  try {
    return f()
  } finally {
    scopes.pop()
  }
}

/**
 * Whether tfjs may ask for the gradient of `t` in the gradient computation now being recorded: false only when a
 * scope of {@link withGradientScope} is active, at the current gradient depth, and `t` is neither one of its tensors
 * nor made inside it. When in doubt, true.
 *
 * @example
 * ```ts
 * const needInput = needsGradient(observations) // false inside the critic's loss: the batch is a constant
 * ```
 */
export const needsGradient = (t: tf.Tensor): boolean => {
  const scope = scopes[scopes.length - 1]
  if (scope === undefined || gradientDepth() !== scope.depth) return true
  return scope.watched.has(t.id) || t.id >= scope.firstId
}

/**
 * Whether a gradient being recorded now may flow through any of `tensors`: false when tfjs records no gradient at all,
 * else {@link needsGradient} of each. An op that has no gradient of its own runs fused only when this is false.
 *
 * @example
 * ```ts
 * const fused = !mayNeedGradient([rewards, discounts]) // true outside tf.grads, and for constants inside a scope
 * ```
 */
export const mayNeedGradient = (tensors: readonly tf.Tensor[]): boolean =>
  (gradientDepth() ?? 0) > 0 && tensors.some(needsGradient)
