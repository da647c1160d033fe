/**
 * The seeding rules every env of this package shares (internal, not re-exported): a reset's `seed` is a safe integer
 * or left out, and the env's key stream starts at `Rng.key(0)`, restarts at `Rng.key(seed)` on a seeded reset, and
 * splits off one key per reset.
 *
 * @module resetKeys
 */
import { Rng } from '@polyak/core'

/**
 * Checks the seed of a reset: a safe integer, or left out.
 *
 * @throws RangeError `<envId>: reset: seed must be a safe integer, got <seed>`
 *
 * @example
 * ```ts
 * checkSeed('Pendulum-v1', 1.5) // throws RangeError
 * ```
 */
export const checkSeed = (envId: string, seed: unknown): void => {
  if (seed !== undefined && !(typeof seed === 'number' && Number.isSafeInteger(seed))) {
    throw new RangeError(`${envId}: reset: seed must be a safe integer, got ${String(seed)}`)
  }
}

/**
 * An env's key stream: `next(seed)` restarts the stream at `Rng.key(seed)` when a seed is given, then splits the
 * stream's key into the returned key of this reset and the stream's next key. A stream never seeded starts from
 * seed 0. The seed must have passed {@link checkSeed}.
 *
 * @example
 * ```ts
 * const keys = makeResetKeyStream()
 * const first = keys.next(0) // the key of a reset with seed 0
 * const second = keys.next(undefined) // the following reset's key
 * ```
 */
export const makeResetKeyStream = (): { readonly next: (seed: number | undefined) => Rng.Key } => {
  let key = Rng.key(0)
  return {
    next: (seed) => {
      if (seed !== undefined) key = Rng.key(seed)
      const [resetKey, nextKey] = Rng.split(key)
      key = nextKey
      return resetKey
    },
  }
}
