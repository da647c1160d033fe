/**
 * The deterministic policy μ(s) as a plain function on arrays: what every actor (inline, worker thread, Redis
 * process) and every evaluation acts with.
 *
 * @module policy
 */
import { type Params, tidy } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import type { Networks } from './networks.js'

/**
 * An action for one observation: `(observation) → action`, both flat `Float32Array`s.
 *
 * @example
 * ```ts
 * const act: Policy = greedyPolicy(networks, () => actor)
 * const action = act(new Float32Array(3))
 * ```
 */
export type Policy = (observation: Float32Array) => Float32Array

/**
 * The greedy policy μ(s) of `networks` with the actor parameters `actor()` returns at each call (read every time,
 * never cached), as a function on arrays; zeros (of the action size) while `actor()` returns `undefined`. Works
 * for every architecture (MLP, Parkour, pixels): it only calls `networks.policy`. Frees every tensor it makes.
 *
 * @example
 * ```ts
 * const networks = makeNetworks({ observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [8] })
 * const actor = networks.initActor(Rng.key(0))
 * const act = greedyPolicy(networks, () => actor)
 * act(Float32Array.of(1, 0, 0)) // one action in [−2, 2]
 * ```
 */
export const greedyPolicy = (networks: Pick<Networks, 'policy' | 'spec'>, actor: () => Params | undefined): Policy => {
  const { observationSize, actionSize } = networks.spec
  return (observation) => {
    const params = actor()
    if (params === undefined) return new Float32Array(actionSize)
    return tidy(() =>
      networks.policy(params, tf.tensor2d(observation, [1, observationSize])).dataSync(),
    ) as Float32Array
  }
}

/**
 * The latest actor a learner published, and the greedy policy that acts with it: hand `publish` to the learner
 * (`learn({ publish })` in `@polyak/pipelines`) and `policy` to whatever acts (`rollout`, `evaluatePolicy`). The
 * published parameters are borrowed, not copied: they stay valid until the learner publishes the next ones.
 *
 * @example
 * ```ts
 * const latest = latestActor(networks)
 * latest.publish(initTrainState(networks, { critics: 2 }, Rng.key(0)))
 * latest.policy(new Float32Array(networks.spec.observationSize))
 * ```
 */
export interface LatestActor<S extends PublishedState = PublishedState> {
  /** Records the newest state (what `learn` calls after every step); its actor and learner step are what acts. */
  readonly publish: (state: S) => void
  /** The newest state, or `undefined` before the first `publish` (borrowed). */
  readonly state: () => S | undefined
  /** The newest actor parameters, or `undefined` before the first `publish`. */
  readonly current: () => Params | undefined
  /** The newest actor with its learner step as the version (what remote actors receive), or `undefined`. */
  readonly versioned: () => { readonly version: number; readonly params: Params } | undefined
  /** {@link greedyPolicy} of the newest actor (zeros before the first `publish`). */
  readonly policy: Policy
}

/**
 * What a learner publishes: at least the actor's parameters and the learner step (a `TrainState` is one).
 *
 * @example
 * ```ts
 * const published: PublishedState = { actor: networks.initActor(Rng.key(0)), step: 0 }
 * ```
 */
export interface PublishedState {
  readonly actor: Params
  readonly step: number
}

/**
 * A {@link LatestActor} for `networks`: nothing published yet. `S` is what the learner publishes (e.g. `TrainState`,
 * so a checkpoint can read the whole state).
 *
 * @example
 * ```ts
 * const latest = latestActor<TrainState>(networks)
 * ```
 */
export const latestActor = <S extends PublishedState = PublishedState>(
  networks: Pick<Networks, 'policy' | 'spec'>,
): LatestActor<S> => {
  let latest: S | undefined
  const current = () => latest?.actor
  return {
    publish: (state) => {
      latest = state
    },
    state: () => latest,
    current,
    versioned: () => (latest === undefined ? undefined : { version: latest.step, params: latest.actor }),
    policy: greedyPolicy(networks, current),
  }
}
