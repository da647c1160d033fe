/**
 * Everything a run needs to resume exactly, and its checkpoints.
 *
 * @module ExperimentSnapshot
 */
import path from 'node:path'
import { cloneTrainState, disposeTrainState, type TrainState } from '@polyak/agents'
import {
  type AdamState,
  decodeOrThrow,
  loadCheckpoint,
  NonNegativeInt,
  type Params,
  PositiveInt,
  prefixParams,
  saveCheckpoint,
  strictObject,
  unprefixParams,
} from '@polyak/core'
import { loadReplay, type ReplaySnapshot, saveReplay } from '@polyak/replay'
import * as t from 'io-ts'

/**
 * A run at an episode boundary: the next global step `t` and episode index, the learner's state and the replay
 * memory. Episodes are seeded from the run's seed and their index, noise keys from the step, learner keys from the
 * learner step and replay keys from the batch count, so these four are all a run needs to continue exactly. The
 * tensors and arrays belong to whoever holds the snapshot: free them with {@link disposeExperimentSnapshot}.
 *
 * @example
 * ```ts
 * const snapshot: ExperimentSnapshot = { t: 4000, episode: 20, train: cloneTrainState(state), replay }
 * ```
 */
export interface ExperimentSnapshot {
  readonly t: number
  readonly episode: number
  readonly train: TrainState
  readonly replay: ReplaySnapshot
}

/**
 * Frees the tensors of a snapshot.
 *
 * @example
 * ```ts
 * await saveExperiment('runs/a/checkpoints', snapshot)
 * disposeExperimentSnapshot(snapshot)
 * ```
 */
export const disposeExperimentSnapshot = (snapshot: ExperimentSnapshot): void => disposeTrainState(snapshot.train)

const adamTensors = (prefix: string, adam: AdamState): Params => ({
  ...prefixParams(`${prefix}/m/`, adam.m),
  ...prefixParams(`${prefix}/v/`, adam.v),
})

const trainTensors = (state: TrainState): Params => ({
  ...prefixParams('actor/', state.actor),
  ...prefixParams('targetActor/', state.targetActor),
  ...adamTensors('actorAdam', state.actorOptimizer),
  ...Object.assign(
    {},
    ...state.critics.map((critic, i) => ({
      ...prefixParams(`critic${i}/`, critic),
      ...prefixParams(`targetCritic${i}/`, state.targetCritics[i] as Params),
      ...adamTensors(`critic${i}Adam`, state.criticOptimizers[i] as AdamState),
    })),
  ),
})

const SnapshotMetadata = strictObject('ExperimentSnapshotMetadata', {
  kind: t.literal('polyak-experiment'),
  t: NonNegativeInt,
  episode: NonNegativeInt,
  learnerStep: NonNegativeInt,
  critics: PositiveInt,
  actorAdamStep: NonNegativeInt,
  criticAdamSteps: t.readonlyArray(NonNegativeInt),
})

/**
 * Writes a snapshot under `dir`: the replay memory to `dir/replay`, then the learner's tensors and counters to
 * `dir/learner`, both as core checkpoints numbered by the snapshot's `t` (each written atomically; the replay goes
 * first, so a learner checkpoint always has its replay). Resolves to `t`. The snapshot is not freed.
 *
 * @example
 * ```ts
 * await saveExperiment('runs/td3/checkpoints', snapshot)
 * ```
 */
export const saveExperiment = async (dir: string, snapshot: ExperimentSnapshot, keep = 2): Promise<number> => {
  const { train } = snapshot
  await saveReplay(path.join(dir, 'replay'), snapshot.replay, snapshot.t, { keep })
  await saveCheckpoint(
    path.join(dir, 'learner'),
    {
      step: snapshot.t,
      tensors: trainTensors(train),
      metadata: {
        kind: 'polyak-experiment',
        t: snapshot.t,
        episode: snapshot.episode,
        learnerStep: train.step,
        critics: train.critics.length,
        actorAdamStep: train.actorOptimizer.step,
        criticAdamSteps: train.criticOptimizers.map((o) => o.step),
      },
    },
    { keep },
  )
  return snapshot.t
}

/**
 * Reads the latest snapshot written by {@link saveExperiment} under `dir` (its learner checkpoint and the replay
 * checkpoint of the same step). The metadata is validated with io-ts; the caller owns the result.
 *
 * @throws Error when there is no checkpoint, or it is not an experiment checkpoint, or its replay is missing
 *
 * @example
 * ```ts
 * const snapshot = await loadExperiment('runs/td3/checkpoints')
 * runExperiment(config, { resume: snapshot })
 * ```
 */
export const loadExperiment = async (dir: string): Promise<ExperimentSnapshot> => {
  const learner = await loadCheckpoint(path.join(dir, 'learner'))
  let train: TrainState | undefined
  try {
    const meta = decodeOrThrow(SnapshotMetadata, learner.metadata, `experiment checkpoint metadata in ${dir}`)
    const tensors = learner.tensors as Params
    const adam = (prefix: string, step: number): AdamState => ({
      step,
      m: unprefixParams(`${prefix}/m/`, tensors),
      v: unprefixParams(`${prefix}/v/`, tensors),
    })
    const indices = Array.from({ length: meta.critics }, (_, i) => i)
    train = {
      actor: unprefixParams('actor/', tensors),
      targetActor: unprefixParams('targetActor/', tensors),
      actorOptimizer: adam('actorAdam', meta.actorAdamStep),
      critics: indices.map((i) => unprefixParams(`critic${i}/`, tensors)),
      targetCritics: indices.map((i) => unprefixParams(`targetCritic${i}/`, tensors)),
      criticOptimizers: indices.map((i) => adam(`critic${i}Adam`, meta.criticAdamSteps[i] ?? 0)),
      step: meta.learnerStep,
    }
    const replay = await loadReplay(path.join(dir, 'replay'), { step: meta.t })
    return { t: meta.t, episode: meta.episode, train, replay }
  } catch (error) {
    for (const tensor of Object.values(learner.tensors)) tensor.dispose()
    throw error
  }
}

/**
 * A snapshot from a live state: clones the state (the caller owns the clone) next to a replay snapshot.
 *
 * @example
 * ```ts
 * const snapshot = takeSnapshot(state, replay, 4000, 20)
 * ```
 */
export const takeSnapshot = (
  state: TrainState,
  replay: ReplaySnapshot,
  nextStep: number,
  nextEpisode: number,
): ExperimentSnapshot => ({ t: nextStep, episode: nextEpisode, train: cloneTrainState(state), replay })
