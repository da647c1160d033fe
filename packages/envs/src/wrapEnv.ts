import type { Env } from './Env.js'

/**
 * A new env that forwards everything to `inner` except what `overrides` replaces: the building block of every
 * wrapper. The id stays the inner env's, so errors still name the env.
 *
 * @example
 * ```ts
 * const negated = (env: Env): Env =>
 *   wrapEnv(env, {
 *     step: (action) => {
 *       const result = env.step(action)
 *       return { ...result, reward: -result.reward }
 *     },
 *   })
 * ```
 */
export const wrapEnv = (inner: Env, overrides: Partial<Env> = {}): Env => ({
  id: inner.id,
  spec: inner.spec,
  observationSpace: inner.observationSpace,
  actionSpace: inner.actionSpace,
  reset: inner.reset,
  step: inner.step,
  render: inner.render,
  close: inner.close,
  ...overrides,
})
