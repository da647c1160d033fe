/**
 * The seeds of an actor, derived from the run seed, its slot and its restart count: shared by the worker-thread
 * and the Redis actors (and by their learner sides, for tests and logs).
 *
 * @module actors/seeds
 */
import { Rng } from '@polyak/core'

/** A tag folded into the run key first, so actor keys never coincide with the inline run's episode keys. */
const ACTORS_TAG = 0x61637472

/**
 * The episode seed and exploration key of actor `actor` after `incarnation` restarts, derived from the run seed with
 * `Rng.foldIn`.
 *
 * @example
 * ```ts
 * actorSeeds(1, 0, 0).envSeed !== actorSeeds(1, 1, 0).envSeed // true
 * ```
 */
export const actorSeeds = (
  seed: number,
  actor: number,
  incarnation: number,
): { readonly envSeed: number; readonly exploreKey: Rng.Key } => {
  const key = Rng.foldIn(Rng.foldIn(Rng.foldIn(Rng.key(seed), ACTORS_TAG), actor), incarnation)
  const [envKey, exploreKey] = Rng.split(key, 2)
  return { envSeed: Rng.bits(envKey, 1)[0] as number, exploreKey }
}
