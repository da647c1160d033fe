import { Rng } from '@polyak/core'

/**
 * Draws `batchSize` row indices uniformly from `[0, size)`, with replacement.
 *
 * @remarks
 * Deterministic in `key` (core `Rng.integers`, rejection sampling, so no modulo bias). Experience replay as in
 * DQN (Mnih et al., 2015) and DDPG (Lillicrap et al., 2016).
 *
 * @throws RangeError when `size < 1`.
 *
 * @example
 * ```ts
 * const indices = uniformSampler(Rng.key(0), size(storage), 256)
 * const batch = gather(storage, indices)
 * ```
 */
export const uniformSampler = (key: Rng.Key, size: number, batchSize: number): Int32Array => {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`uniformSampler: size must be >= 1, got ${size}`)
  return Rng.integers(key, batchSize, size)
}
