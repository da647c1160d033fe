/**
 * One DDPG training run through `runExperiment`, with progress lines and the curves the app plots, ending in the
 * actor selected on a validation road, to be driven as a {@link Policy} on the test road.
 *
 * @module train
 */
import { makeNetworks, type NetworkArchitecture } from '@polyak/agents'
import { cloneParams, disposeParams, type Params, tidy } from '@polyak/core'
import {
  disposeExperimentSnapshot,
  type ExperimentEvent,
  type ExperimentSnapshot,
  runExperiment,
} from '@polyak/pipelines'
import * as tf from '@tensorflow/tfjs'
import { lastValueFrom, tap } from 'rxjs'
import type { Policy } from './policies.js'

/**
 * The config `runExperiment` receives (its input type).
 *
 * @example
 * ```ts
 * const experiment: ExperimentInput = { algo: 'ddpg', env: 'LaneFollowing-v0', steps: 2_000 }
 * ```
 */
export type ExperimentInput = Parameters<typeof runExperiment>[0]

/**
 * What a training run produced: `[env step, return]` of every finished episode (the return is the episode's metres
 * of progress), `[env step, critic loss]` of every update, the number of updates and the wall-clock seconds.
 *
 * @example
 * ```ts
 * const { episodes, criticLoss } = run.curves
 * ```
 */
export interface TrainingCurves {
  readonly episodes: ReadonlyArray<readonly [number, number]>
  readonly criticLoss: ReadonlyArray<readonly [number, number]>
  readonly updates: number
  readonly envSteps: number
  readonly seconds: number
}

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length

/**
 * The actor of a trained run as a driving policy: `observationOf` turns a LaneFollowing observation into the
 * network's input (the identity for pixels, the VAE latent for the latent row); the action is the deterministic
 * actor's output (no exploration noise). The caller keeps `actor` alive while the policy is used.
 *
 * @example
 * ```ts
 * const policy = actorPolicy(networks, snapshot.train.actor, (observation) => observation)
 * ```
 */
export const actorPolicy =
  (
    networks: { readonly policy: (actor: Params, observations: tf.Tensor2D) => tf.Tensor2D },
    actor: Params,
    observationOf: (observation: Float32Array) => Float32Array,
  ): Policy =>
  (observation) => {
    const input = observationOf(observation)
    return tidy(() => networks.policy(actor, tf.tensor2d(input, [1, input.length])).dataSync()) as Float32Array
  }

/**
 * The networks of a run's actor, rebuilt from its experiment config (same spec as `runExperiment` builds): used to
 * drive with the final snapshot's actor.
 *
 * @example
 * ```ts
 * const networks = actorNetworks(34, [256, 256], { kind: 'mlp' })
 * ```
 */
export const actorNetworks = (
  observationSize: number,
  hiddenSizes: readonly number[],
  architecture: NetworkArchitecture,
) => makeNetworks({ observationSize, actionSize: 2, low: [-1, -1], high: [1, 1], hiddenSizes }, undefined, architecture)

/**
 * A trained run's selected actor: the actor that scored best on the validation drives (ties: the later one), the
 * env step of its snapshot and its score. `actor` is a copy the caller owns (free it with `disposeParams`).
 *
 * @example
 * ```ts
 * const { actor, t, score } = selected
 * ```
 */
export interface SelectedActor {
  readonly actor: Params
  readonly t: number
  readonly score: number
}

/**
 * Runs one experiment to the end, logging a progress line every `progressEvery` seconds (label, step, steps/s,
 * episodes, metres per episode of the last 10, critic loss, updates, the last validation score) and a closing line.
 * At every checkpoint snapshot (set `checkpointEvery` in the experiment; they come at the first episode end after
 * every that many steps) and at the final one, `validate` scores the actor; the best-scoring actor is kept (copied)
 * and returned with every `[env step, score]`, so the caller tests the selected actor, not whichever the run
 * happened to end with.
 *
 * @example
 * ```ts
 * const { curves, validations, selected } = await trainDdpg(experiment, 'vae', 5, console.log, (actor) => score(actor))
 * ```
 */
export const trainDdpg = async (
  experiment: ExperimentInput,
  label: string,
  progressEvery: number,
  log: (line: string) => void,
  validate: (actor: Params) => number,
): Promise<{
  readonly curves: TrainingCurves
  readonly validations: ReadonlyArray<readonly [number, number]>
  readonly selected: SelectedActor
}> => {
  const steps = experiment.steps ?? 0
  const episodes: Array<readonly [number, number]> = []
  const criticLoss: Array<readonly [number, number]> = []
  const validations: Array<readonly [number, number]> = []
  let updates = 0
  let selected: SelectedActor | undefined
  const started = Date.now()
  let lastLine = started
  const line = (t: number) => {
    const seconds = (Date.now() - started) / 1000
    const recent = episodes.slice(-10).map(([, r]) => r)
    const loss = mean(criticLoss.slice(-100).map(([, l]) => l))
    const validation = validations[validations.length - 1]
    log(
      `[${label}] step ${t}/${steps}  ${(t / Math.max(seconds, 1e-9)).toFixed(0)} steps/s  episodes ${episodes.length}  ` +
        `m/episode(last 10) ${recent.length > 0 ? mean(recent).toFixed(1) : '-'}  ` +
        `critic loss ${Number.isFinite(loss) ? loss.toExponential(2) : '-'}  updates ${updates}  ` +
        `validation ${validation === undefined ? '-' : `${validation[1].toFixed(1)} m/disengagement`}  ${seconds.toFixed(0)} s`,
    )
  }
  const consider = (snapshot: ExperimentSnapshot) => {
    try {
      const score = validate(snapshot.train.actor)
      validations.push([snapshot.t, score])
      if (selected === undefined || score >= selected.score) {
        if (selected !== undefined) disposeParams(selected.actor)
        selected = { actor: cloneParams(snapshot.train.actor), t: snapshot.t, score }
      }
    } finally {
      disposeExperimentSnapshot(snapshot)
    }
  }
  const onEvent = (event: ExperimentEvent) => {
    if (event.type === 'episode') episodes.push([event.t + 1, event.return])
    else if (event.type === 'update') {
      updates = event.learnerStep
      criticLoss.push([event.t + 1, event.metrics['losses/critic']])
    } else if (event.type === 'checkpoint' || event.type === 'final') consider(event.snapshot)
    if (progressEvery > 0 && Date.now() - lastLine >= progressEvery * 1000) {
      lastLine = Date.now()
      line(event.t + 1)
    }
  }
  try {
    await lastValueFrom(runExperiment(experiment).pipe(tap(onEvent)), { defaultValue: undefined })
  } catch (error) {
    if (selected !== undefined) disposeParams(selected.actor)
    throw error
  }
  const seconds = (Date.now() - started) / 1000
  line(steps)
  if (selected === undefined) throw new Error(`trainDdpg: the ${label} run ended without a final snapshot`)
  return { curves: { episodes, criticLoss, updates, envSteps: steps, seconds }, validations, selected }
}
