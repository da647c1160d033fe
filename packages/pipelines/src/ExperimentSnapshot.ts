/**
 * Everything a run needs to resume exactly, and its checkpoints.
 *
 * @module ExperimentSnapshot
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { cloneTrainState, disposeTrainState, type TrainState } from '@polyak/agents'
import {
  type AdamState,
  checkpointFiles,
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
 * Options of {@link loadExperiment}.
 *
 * @example
 * ```ts
 * const options: LoadExperimentOptions = { expected: { observationSize: 3, actionSize: 1, hiddenSizes: [64, 64] } }
 * ```
 */
export interface LoadExperimentOptions {
  /** Refuse a checkpoint written before checksums existed (default: load it, after `onWarning`). */
  readonly requireChecksums?: boolean
  /** Told about what loads but deserves a word (a checkpoint without checksums). */
  readonly onWarning?: (message: string) => void
  /** The shapes the run's config implies: any difference is an error naming the file. */
  readonly expected?: {
    readonly observationSize: number
    readonly actionSize: number
    /** The hidden widths of the actor and the critics (MLPs). */
    readonly hiddenSizes?: readonly number[]
    /** The replay capacity. */
    readonly capacity?: number
  }
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(',')}]`

/**
 * Every problem with the structure of a learner checkpoint's tensors: each name belongs to one group (`actor`,
 * `targetActor`, `actorAdam/m`, `actorAdam/v`, and per critic `critic<i>`, `targetCritic<i>`, `critic<i>Adam/m`,
 * `critic<i>Adam/v`); every group holds the same names and shapes as its network (`actor` or `critic<i>`); every
 * tensor is float32 with finite values; the MLP layers match `expected`.
 */
const learnerProblems = (
  tensors: Readonly<
    Record<string, { readonly shape: readonly number[]; readonly dtype: string; dataSync(): ArrayLike<number> }>
  >,
  critics: number,
  expected: LoadExperimentOptions['expected'],
): string[] => {
  const families = [
    { network: 'actor', groups: ['actor', 'targetActor', 'actorAdam/m', 'actorAdam/v'] },
    ...Array.from({ length: critics }, (_, i) => ({
      network: `critic${i}`,
      groups: [`critic${i}`, `targetCritic${i}`, `critic${i}Adam/m`, `critic${i}Adam/v`],
    })),
  ]
  const grouped = new Map<string, Map<string, readonly number[]>>()
  const problems: string[] = []
  for (const [name, tensor] of Object.entries(tensors)) {
    const group = families.flatMap((f) => f.groups).find((g) => name.startsWith(`${g}/`))
    if (group === undefined) {
      problems.push(`unexpected tensor '${name}'`)
      continue
    }
    if (tensor.dtype !== 'float32') problems.push(`tensor '${name}' is ${tensor.dtype}, expected float32`)
    const values = tensor.dataSync()
    let bad = 0
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i] as number)) bad += 1
    if (bad > 0) problems.push(`tensor '${name}' holds ${bad} non-finite value${bad === 1 ? '' : 's'}`)
    const members = grouped.get(group) ?? new Map<string, readonly number[]>()
    members.set(name.slice(group.length + 1), tensor.shape)
    grouped.set(group, members)
  }
  for (const { network, groups } of families) {
    const reference = grouped.get(network)
    if (reference === undefined || reference.size === 0) {
      problems.push(`no tensors for '${network}'`)
      continue
    }
    for (const group of groups.slice(1)) {
      const members = grouped.get(group) ?? new Map<string, readonly number[]>()
      for (const [key, shape] of reference) {
        const got = members.get(key)
        if (got === undefined) problems.push(`missing tensor '${group}/${key}'`)
        else if (shapeText(got) !== shapeText(shape)) {
          problems.push(
            `tensor '${group}/${key}' has shape ${shapeText(got)}, but '${network}/${key}' has ${shapeText(shape)}`,
          )
        }
      }
      for (const key of members.keys()) {
        if (!reference.has(key))
          problems.push(`unexpected tensor '${group}/${key}' ('${network}/${key}' does not exist)`)
      }
    }
    if (expected !== undefined) {
      const input = network === 'actor' ? expected.observationSize : expected.observationSize + expected.actionSize
      const output = network === 'actor' ? expected.actionSize : undefined
      problems.push(...mlpProblems(network, reference, input, expected.hiddenSizes, output))
    }
  }
  return problems
}

/** Problems of an MLP's `l<k>/kernel` and `l<k>/bias` shapes against its input size, widths and output size. */
const mlpProblems = (
  network: string,
  params: ReadonlyMap<string, readonly number[]>,
  input: number,
  hiddenSizes: readonly number[] | undefined,
  output: number | undefined,
): string[] => {
  const layers = params.size / 2
  const problems: string[] = []
  if (hiddenSizes !== undefined && layers !== hiddenSizes.length + 1) {
    return [
      `'${network}' has ${layers} layers, the config's hiddenSizes [${hiddenSizes.join(',')}] make ${hiddenSizes.length + 1}`,
    ]
  }
  let fanIn = input
  for (let k = 0; k < layers; k++) {
    const kernel = params.get(`l${k}/kernel`)
    const bias = params.get(`l${k}/bias`)
    const fanOut = k < layers - 1 ? hiddenSizes?.[k] : output
    if (kernel === undefined || bias === undefined || kernel.length !== 2 || bias.length !== 1) {
      problems.push(`'${network}' has no MLP layer l${k} (l${k}/kernel [in,out] and l${k}/bias [out])`)
      break
    }
    const want = [fanIn, fanOut ?? (kernel[1] as number)]
    if (shapeText(kernel) !== shapeText(want) || bias[0] !== want[1]) {
      problems.push(
        `'${network}/l${k}' has kernel ${shapeText(kernel)} and bias ${shapeText(bias)}, expected kernel ${shapeText(want)}`,
      )
      break
    }
    fanIn = want[1] as number
  }
  return problems
}

/**
 * Reads the latest snapshot written by {@link saveExperiment} under `dir` (its learner checkpoint and the replay
 * checkpoint of the same step) and verifies it before anything is built: every file against its checksums, the
 * learner's tensor names (no prototype-reaching names, each in its group, every group with its network's names and
 * shapes, float32, finite), its metadata (io-ts), the replay's counters and data (`loadReplay`), `stored ≤ t`, and
 * with `options.expected` the shapes the run's config implies. The caller owns the result.
 *
 * @throws Error naming the file and what is wrong when there is no checkpoint, a file is damaged, or anything
 *   above disagrees (nothing is allocated then)
 *
 * @example
 * ```ts
 * const snapshot = await loadExperiment('runs/td3/checkpoints', { onWarning: console.warn })
 * runExperiment(config, { resume: snapshot })
 * ```
 */
export const loadExperiment = async (dir: string, options: LoadExperimentOptions = {}): Promise<ExperimentSnapshot> => {
  const requireChecksums = options.requireChecksums === true
  const learnerRoot = path.join(dir, 'learner')
  const replayRoot = path.join(dir, 'replay')
  const learner = await loadCheckpoint(learnerRoot, { requireChecksums })
  let train: TrainState | undefined
  try {
    const files = checkpointFiles(learnerRoot, learner.step)
    const meta = decodeOrThrow(
      SnapshotMetadata,
      learner.metadata,
      `experiment checkpoint metadata in ${files.modelJson}`,
    )
    if (meta.t !== learner.step) {
      throw new Error(
        `loadExperiment: ${files.modelJson} records t ${meta.t} but is the checkpoint of step ${learner.step}`,
      )
    }
    if (meta.criticAdamSteps.length !== meta.critics) {
      throw new Error(
        `loadExperiment: ${files.modelJson} records ${meta.criticAdamSteps.length} critic Adam steps for ${meta.critics} critics`,
      )
    }
    const problems = learnerProblems(learner.tensors, meta.critics, options.expected)
    if (problems.length > 0) {
      throw new Error(
        `loadExperiment: the learner checkpoint ${files.weights} (with ${files.modelJson}) does not hold a learner ` +
          `state (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.slice(0, 8).join('; ')}` +
          `${problems.length > 8 ? '; …' : ''}`,
      )
    }
    const replayFiles = checkpointFiles(replayRoot, meta.t)
    const replay = await loadReplay(replayRoot, {
      step: meta.t,
      requireChecksums,
      ...(options.expected === undefined
        ? {}
        : {
            expected: {
              observationSize: options.expected.observationSize,
              actionSize: options.expected.actionSize,
              ...(options.expected.capacity === undefined ? {} : { capacity: options.expected.capacity }),
            },
          }),
    })
    if (replay.stored > meta.t) {
      throw new Error(
        `loadExperiment: ${replayFiles.modelJson} records ${replay.stored} stored transitions, more than the ${meta.t} ` +
          `steps of the run (${files.modelJson})`,
      )
    }
    const unverified = [
      ...(learner.verified ? [] : [files.dir]),
      ...(existsSync(replayFiles.checksums) ? [] : [replayFiles.dir]),
    ]
    if (unverified.length > 0) {
      options.onWarning?.(
        `${unverified.join(' and ')} ${unverified.length === 1 ? 'has' : 'have'} no checksums.json (written by an ` +
          'older version): the structure was checked, the bytes could not be verified',
      )
    }
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
