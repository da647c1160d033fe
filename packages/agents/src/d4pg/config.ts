/**
 * D4PG's learner configuration.
 *
 * @module d4pg/config
 */
import { FiniteNumber, PositiveInt, strictObject, withDefaults } from '@polyak/core'
import type * as t from 'io-ts'
import { learnerProps } from '../ddpg/config.js'

/**
 * The io-ts codec of {@link D4pgConfig}: DDPG's fields plus the categorical critic's support (51 atoms on
 * [vMin, vMax]) and the number of critics (1: D4PG; 2: a distributional TD3's clipped double critic). Defaults: γ
 * 0.99, τ 0.005, Adam 1e-4 for both networks (Acme's D4PG), 256-256 networks, actor every step, support ±150 (Acme's
 * control-suite default). Set vMin/vMax to the range of discounted returns of your task: Acme's rule of thumb is
 * vMax = the discounted sum of the largest reward over an episode and vMin = −vMax; for Pendulum (rewards in
 * [−16.3, 0], γ 0.99) use about [−1700, 0]. n-step returns and prioritized replay are the replay's settings.
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(D4pgConfigCodec, { vMin: -1700, vMax: 0 }, 'd4pg config')
 * ```
 */
export const D4pgConfigCodec = withDefaults(
  strictObject('D4pgConfig', {
    ...learnerProps,
    /** Atoms of the categorical support (D4PG: 51). */
    atoms: PositiveInt,
    /** Smallest value of the support. */
    vMin: FiniteNumber,
    /** Largest value of the support. */
    vMax: FiniteNumber,
    /** Critics (1: D4PG; 2: clipped double categorical critics). */
    critics: PositiveInt,
  }),
  {
    gamma: 0.99,
    tau: 0.005,
    actorLearningRate: 1e-4,
    criticLearningRate: 1e-4,
    hiddenSizes: [256, 256],
    policyDelay: 1,
    atoms: 51,
    vMin: -150,
    vMax: 150,
    critics: 1,
  },
)

/**
 * A decoded D4PG configuration.
 *
 * @example
 * ```ts
 * const config: D4pgConfig = decodeOrThrow(D4pgConfigCodec, {})
 * ```
 */
export type D4pgConfig = t.TypeOf<typeof D4pgConfigCodec>
