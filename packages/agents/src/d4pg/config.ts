/**
 * D4PG's configuration.
 *
 * @module d4pg/config
 */
import { FiniteNumber, optional, PositiveInt, strictObject, withDefaults } from '@polyak/core'
import type * as t from 'io-ts'
import { replayProps } from '../agent.js'
import { learnerProps } from '../ddpg/config.js'

/**
 * The io-ts codec of {@link D4pgConfig}: DDPG's fields plus the categorical critic's support (51 atoms on
 * [vMin, vMax]), the number of critics (1: D4PG; 2: a distributional TD3's clipped double critic) and the replay.
 * Defaults are the paper's composition (Barth-Maron et al. 2018; Acme's D4PG): 5-step returns, prioritized replay
 * (α 0.6, β 0.4 → 1 over the run, ε 1e-6), γ 0.99, τ 0.005, Adam 1e-4 for both networks, 256-256 networks, the actor
 * every step. `vMin`/`vMax` left out: fitted to the task when the agent is prepared — the range of discounted
 * returns `[rMin, rMax] / (1 − γ)` from the per-step reward bounds the env registry records (Pendulum-v1:
 * −16.27 ≤ r ≤ 0, so [−1627, 0]); for a task without recorded bounds give both.
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(D4pgConfigCodec, { vMin: -1700, vMax: 0 }, 'd4pg config')
 * ```
 */
export const D4pgConfigCodec = withDefaults(
  strictObject('D4pgConfig', {
    ...learnerProps,
    ...replayProps,
    /** Atoms of the categorical support (D4PG: 51). */
    atoms: PositiveInt,
    /** Smallest value of the support; left out: fitted to the task's reward bounds. */
    vMin: optional(FiniteNumber),
    /** Largest value of the support; left out: fitted to the task's reward bounds. */
    vMax: optional(FiniteNumber),
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
    nStep: 5,
    sampler: { prioritized: {} },
    atoms: 51,
    critics: 1,
  },
)

/**
 * A decoded D4PG configuration (`vMin`/`vMax` may still be `undefined` before the agent is fitted to a task).
 *
 * @example
 * ```ts
 * const config: D4pgConfig = decodeOrThrow(D4pgConfigCodec, {})
 * ```
 */
export type D4pgConfig = t.TypeOf<typeof D4pgConfigCodec>
