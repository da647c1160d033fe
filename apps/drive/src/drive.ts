/**
 * The experiment of `npm run drive`: Table I of "Learning to Drive in a Day" (Kendall et al. 2018) in kind on
 * LaneFollowing-v0: the random and zero policies, DDPG from pixels and DDPG with prioritized replay on a VAE latent,
 * each tested on the same fixed road; the table, a summary, sample frames, VAE reconstructions and learning curves.
 *
 * @module drive
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  decodeOrThrow,
  disposeParams,
  NonNegativeInt,
  NonNegativeNumber,
  nativeKernelsActive,
  type Params,
  PositiveInt,
  PositiveNumber,
  Rng,
  strictObject,
  UnitInterval,
  withDefaults,
} from '@polyak/core'
import { runExperiment } from '@polyak/pipelines'
import { type Series, stackCharts } from '@polyak/trainer/svgChart'
import * as tf from '@tensorflow/tfjs'
import * as t from 'io-ts'
import { collectFrames, type FrameSet, frameSheet } from './frames.js'
import { latentObservation, registerLatentEnv } from './latentEnv.js'
import { encodePng } from './png.js'
import { type Policy, randomPolicy, zeroPolicy } from './policies.js'
import { ROW_NAMES, type RowId, renderTable, type TableRow, type TrainingFigures } from './table.js'
import { driveTestRoad, type TestDrive, type TestRoadConfig } from './testRoad.js'
import { actorNetworks, actorPolicy, type ExperimentInput, type TrainingCurves, trainDdpg } from './train.js'
import { disposeTrainedVae, reconstructionSheet, type TrainedVae, trainVae, vaeImageEncoder } from './vae.js'

const RowCodec = t.keyof({ random: null, zero: null, pixels: null, vae: null }, 'one of random, zero, pixels, vae')

/**
 * The app's configuration, with the defaults of `npm run drive` (sized for about 15 minutes on 2 cores with the
 * wasm backend; see the README for measured figures). Unknown keys are errors naming the key.
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(DriveConfigCodec, { rows: ['zero', 'vae'], latentSteps: 3_000 })
 * ```
 */
export const DriveConfigCodec = withDefaults(
  strictObject('DriveConfig', {
    /** Which rows of the table to produce, in this order. */
    rows: t.readonlyArray(RowCodec),
    /** Seed of every random draw (frames, VAE, both trainings, the random policy). */
    seed: NonNegativeInt,
    /** Output folder. */
    out: t.string,
    /** Seconds between progress lines (0: none). */
    progressEvery: NonNegativeNumber,
    /** Reset seed of the test road. */
    testSeed: NonNegativeInt,
    /** Metres of the test route. */
    testRoute: PositiveNumber,
    /** Policy steps before a test drive stops. */
    testSteps: PositiveInt,
    /** Reset seed of the validation road, on which the learned rows choose which actor to test. */
    validationSeed: NonNegativeInt,
    /** Metres of the validation route. */
    validationRoute: PositiveNumber,
    /** Policy steps before a validation drive stops. */
    validationSteps: PositiveInt,
    /** Validate the actor at the first episode end after every this many env steps, and at the end (0: the end only). */
    selectEvery: NonNegativeInt,
    /** Random-policy episodes whose camera frames train the VAE. */
    vaeEpisodes: PositiveInt,
    /** Keep every this many-th frame of those episodes. */
    vaeFrameEvery: PositiveInt,
    /** At most this many frames. */
    vaeMaxFrames: PositiveInt,
    /** Gradient steps of the VAE. */
    vaeTrainSteps: PositiveInt,
    vaeBatchSize: PositiveInt,
    /** Output channels of the VAE encoder's convolutions (kernel 4, stride 2; the decoder mirrors them). */
    vaeFilters: t.readonlyArray(PositiveInt),
    vaeLearningRate: PositiveNumber,
    /** Weight of the KL term (β-VAE; 1 is the plain VAE). */
    vaeBeta: NonNegativeNumber,
    latentSize: PositiveInt,
    /** Env steps of DDPG + PER on the VAE latent. */
    latentSteps: PositiveInt,
    /** Env steps of DDPG from pixels. */
    pixelSteps: PositiveInt,
    /** Random-action steps before learning (both DDPG rows). */
    warmupSteps: NonNegativeInt,
    /** Batch of the latent DDPG. */
    batchSize: PositiveInt,
    /** Batch of the pixel DDPG (conv nets are slow on a CPU). */
    pixelBatchSize: PositiveInt,
    /** Hidden layers of the latent DDPG's actor and critic, and the heads of the pixel networks. */
    hiddenSizes: t.readonlyArray(PositiveInt),
    /** Conv torso of the pixel networks: filters per layer (kernel 4, stride 2). */
    pixelFilters: t.readonlyArray(PositiveInt),
    /** DrQ's random shift of the pixel row's training images by up to this many pixels each way (0: none). */
    pixelShift: NonNegativeInt,
    /** n of the pixel row's n-step returns (1: one-step targets). */
    pixelNStep: PositiveInt,
    /** `critic`: the pixel actor acts with the critic's conv torso and trains only its head (DrQ-v2); `own`: its own. */
    pixelActorTorso: t.keyof({ own: null, critic: null }, 'one of own, critic'),
    actorLearningRate: PositiveNumber,
    criticLearningRate: PositiveNumber,
    /** Gaussian exploration σ (action half-range units). */
    explorationNoise: NonNegativeNumber,
    gamma: UnitInterval,
  }),
  {
    rows: ['random', 'zero', 'pixels', 'vae'] as Array<t.TypeOf<typeof RowCodec>>,
    seed: 1,
    out: 'runs/drive',
    progressEvery: 5,
    testSeed: 20180701,
    testRoute: 250,
    testSteps: 3000,
    validationSeed: 20180702,
    validationRoute: 150,
    validationSteps: 1500,
    selectEvery: 500,
    vaeEpisodes: 100,
    vaeFrameEvery: 2,
    vaeMaxFrames: 10_000,
    vaeTrainSteps: 1000,
    vaeBatchSize: 32,
    vaeFilters: [16, 32, 32, 64],
    vaeLearningRate: 1e-3,
    vaeBeta: 0.1,
    latentSize: 32,
    latentSteps: 10_000,
    pixelSteps: 5000,
    warmupSteps: 1000,
    batchSize: 64,
    pixelBatchSize: 32,
    hiddenSizes: [64, 64],
    pixelFilters: [16, 32, 32, 64],
    pixelShift: 4,
    pixelNStep: 3,
    pixelActorTorso: 'critic' as 'own' | 'critic',
    actorLearningRate: 1e-4,
    criticLearningRate: 1e-3,
    explorationNoise: 0.2,
    gamma: 0.99,
  },
)

/**
 * A decoded drive config.
 *
 * @example
 * ```ts
 * const config: DriveConfig = decodeOrThrow(DriveConfigCodec, {})
 * ```
 */
export type DriveConfig = t.TypeOf<typeof DriveConfigCodec>

/**
 * The test road of a config.
 *
 * @example
 * ```ts
 * testRoadOf(config) // { seed: 20180701, routeLength: 250, maxPolicySteps: 3000 }
 * ```
 */
export const testRoadOf = (config: DriveConfig): TestRoadConfig => ({
  seed: config.testSeed,
  routeLength: config.testRoute,
  maxPolicySteps: config.testSteps,
})

/**
 * The experiment config of a learned row: DDPG on LaneFollowing-v0 (pixels, with the conv networks) or on the
 * latent env `env` (the VAE row, with prioritized replay: α 0.6, β 0.4 → 1, as Schaul et al.), Gaussian exploration,
 * a replay as large as the run, one update per env step after the warm-up, no built-in evaluation, a snapshot (for
 * the validation drive) every `selectEvery` steps.
 *
 * @example
 * ```ts
 * runExperiment(experimentFor(config, 'pixels'))
 * ```
 */
export const experimentFor = (
  config: DriveConfig,
  row: 'pixels' | 'vae',
  env = 'LaneFollowing-v0',
): ExperimentInput => {
  const steps = row === 'pixels' ? config.pixelSteps : config.latentSteps
  return {
    algo: 'ddpg',
    env,
    steps,
    seed: config.seed,
    warmupSteps: Math.min(config.warmupSteps, steps - 1),
    batchSize: row === 'pixels' ? config.pixelBatchSize : config.batchSize,
    bufferSize: steps,
    explorationNoise: config.explorationNoise,
    noise: 'gaussian',
    evalEpisodes: 0,
    checkpointEvery: config.selectEvery,
    agent: {
      hiddenSizes: config.hiddenSizes,
      actorLearningRate: config.actorLearningRate,
      criticLearningRate: config.criticLearningRate,
      gamma: config.gamma,
      // DDPG + prioritized replay on the latent (Kendall et al.): the PER defaults (α 0.6, β₀ 0.4 → 1, ε 1e-6)
      sampler: row === 'vae' ? { prioritized: { betaSteps: steps } } : 'uniform',
      ...(row === 'pixels' && { nStep: config.pixelNStep }),
    },
    ...(row === 'pixels' && {
      networks: pixelArchitecture(config),
      augmentation:
        config.pixelShift > 0 ? { kind: 'randomShift' as const, pad: config.pixelShift } : { kind: 'none' as const },
    }),
  }
}

/**
 * The pixel networks of a config: the 64 × 64 grey image through a conv torso of `pixelFilters` (kernel 4, stride
 * 2), then, with speed and steering, MLP heads of `hiddenSizes`.
 *
 * @example
 * ```ts
 * pixelArchitecture(config) // { kind: 'pixels', image: [64, 64, 1], torso: { filters: [16, 32, 32, 64], … }, … }
 * ```
 */
export const pixelArchitecture = (config: DriveConfig) => ({
  kind: 'pixels' as const,
  image: [64, 64, 1] as [number, number, number],
  torso: { filters: config.pixelFilters, kernelSize: 4, strides: 2 },
  headSizes: config.hiddenSizes,
  actorTorso: config.pixelActorTorso,
})

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length

/**
 * The trailing mean over the last `window` points, for readable curves.
 *
 * @example
 * ```ts
 * movingAverage([[1, 0], [2, 2], [3, 4]], 2) // [[1, 0], [2, 1], [3, 3]]
 * ```
 */
export const movingAverage = (
  points: ReadonlyArray<readonly [number, number]>,
  window: number,
): ReadonlyArray<readonly [number, number]> =>
  points.map(([x], i) => [x, mean(points.slice(Math.max(0, i - window + 1), i + 1).map(([, y]) => y))] as const)

const thin = <T>(points: readonly T[], max = 400): T[] =>
  points.filter((_, i, all) => i % Math.max(1, Math.ceil(all.length / max)) === 0)

/**
 * Everything a run of the app produced: the table's rows, the curves of the learned rows, the VAE's losses, the
 * summary written to `summary.json`, and the paths of the files.
 *
 * @example
 * ```ts
 * const { rows, files } = await runDrive({ rows: ['random', 'zero'] })
 * ```
 */
export interface DriveResult {
  readonly rows: readonly TableRow[]
  readonly curves: Partial<Record<'pixels' | 'vae', TrainingCurves>>
  readonly vae?: {
    readonly losses: ReadonlyArray<{
      readonly step: number
      readonly total: number
      readonly reconstruction: number
      readonly kl: number
    }>
    readonly frames: number
    readonly seconds: number
  }
  readonly summary: Readonly<Record<string, unknown>>
  readonly files: Readonly<Record<string, string>>
}

const trainingFigures = (curves: TrainingCurves, pretrainSeconds?: number): TrainingFigures => ({
  episodes: curves.episodes.length,
  distance: curves.episodes.reduce((sum, [, r]) => sum + r, 0),
  envSteps: curves.envSteps,
  updates: curves.updates,
  seconds: curves.seconds,
  ...(pretrainSeconds === undefined ? {} : { pretrainSeconds }),
})

/**
 * The score of a validation drive: metres under the policy per disengagement, counting a drive without
 * disengagement as one (so a policy that stops scores 0 and one that completes the route scores its length).
 *
 * @example
 * ```ts
 * validationScore(driveTestRoad(policy, road)) // e.g. 37.5
 * ```
 */
export const validationScore = (drive: TestDrive): number => drive.metres / Math.max(1, drive.disengagements)

const describeDrive = (name: string, drive: TestDrive): string =>
  `${name}: test road ${drive.metres.toFixed(1)} m under the policy, ${drive.disengagements} disengagements` +
  (drive.metresPerDisengagement === null ? '' : ` (${drive.metresPerDisengagement.toFixed(1)} m per disengagement)`) +
  `, route ${drive.completed ? 'completed' : `covered ${drive.covered.toFixed(0)} m`} (${drive.seconds.toFixed(1)} s)`

/**
 * Produces the rows of `config.rows` in order and writes into `config.out`:
 * - `table.md`: the table ({@link renderTable}); `summary.json`: config, rows, curves' figures, VAE losses, machine;
 * - `frames.png`: 32 camera frames of the random-policy episodes (the VAE's data; collected when a row needs them,
 *   i.e. the VAE row, and otherwise from 10 random episodes for the picture);
 * - `reconstructions.png` (VAE row): held-out frames (rows 1, 3) above their VAE reconstructions (rows 2, 4);
 * - `curves.svg`: metres per training episode (10-episode mean) and the critic loss for the learned rows, and the
 *   VAE's losses.
 *
 * The VAE row: frames from `vaeEpisodes` random-policy episodes → VAE trained `vaeTrainSteps` steps → frozen, and
 * LaneFollowing registered again as a latent env (`[mean latent, speed, steering]`) → DDPG + PER through
 * `runExperiment` for `latentSteps` → its actor, fed the latent of each camera image, drives the test road.
 *
 * @throws ConfigError for an invalid config, before anything runs
 *
 * @example
 * ```ts
 * const { files } = await runDrive({ rows: ['random', 'zero', 'vae'], latentSteps: 3_000, out: 'runs/drive-short' })
 * ```
 */
export const runDrive = async (input: unknown, log: (line: string) => void = () => {}): Promise<DriveResult> => {
  const config = decodeOrThrow(DriveConfigCodec, input, 'drive config')
  if (config.rows.includes('pixels')) runExperiment(experimentFor(config, 'pixels')) // validates now (cold)
  const road = testRoadOf(config)
  const key = Rng.key(config.seed)
  mkdirSync(config.out, { recursive: true })
  const files: Record<string, string> = {}
  const write = (name: string, data: string | Buffer) => {
    const file = path.join(config.out, name)
    writeFileSync(file, data)
    files[name] = file
  }
  const rows: TableRow[] = []
  const curves: Partial<Record<'pixels' | 'vae', TrainingCurves>> = {}
  const validations: Partial<Record<'pixels' | 'vae', ReadonlyArray<readonly [number, number]>>> = {}
  let vaeFigures: DriveResult['vae']
  let frames: FrameSet | undefined
  const framesFor = (episodes: number): FrameSet => {
    if (frames === undefined) {
      const started = Date.now()
      frames = collectFrames({
        episodes,
        seed: config.seed,
        every: config.vaeFrameEvery,
        maxFrames: config.vaeMaxFrames,
      })
      log(
        `[frames] ${frames.count} frames from ${frames.episodes} random-policy episodes (${frames.steps} steps) in ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s`,
      )
    }
    return frames
  }
  const test = (id: RowId, policy: Policy): TestDrive => {
    const drive = driveTestRoad(policy, road)
    log(describeDrive(`[${id}] ${ROW_NAMES[id]}`, drive))
    return drive
  }
  const validationRoad: TestRoadConfig = {
    seed: config.validationSeed,
    routeLength: config.validationRoute,
    maxPolicySteps: config.validationSteps,
  }
  /** Trains a DDPG row, choosing its actor on the validation road, and drives the chosen actor on the test road. */
  const learnedRow = async (
    id: 'pixels' | 'vae',
    experiment: ExperimentInput,
    policyOf: (actor: Params) => Policy,
    pretrainSeconds?: number,
  ): Promise<TableRow> => {
    const run = await trainDdpg(experiment, id, config.progressEvery, log, (actor) =>
      validationScore(driveTestRoad(policyOf(actor), validationRoad)),
    )
    try {
      curves[id] = run.curves
      validations[id] = run.validations
      log(
        `[${id}] testing the actor of step ${run.selected.t} (validation ${run.selected.score.toFixed(1)} m per ` +
          `disengagement, best of ${run.validations.length})`,
      )
      const selection = { t: run.selected.t, score: run.selected.score, candidates: run.validations.length }
      return {
        id,
        training: trainingFigures(run.curves, pretrainSeconds),
        selection,
        test: test(id, policyOf(run.selected.actor)),
      }
    } finally {
      disposeParams(run.selected.actor)
    }
  }

  for (const id of config.rows) {
    if (id === 'random') rows.push({ id, test: test(id, randomPolicy(Rng.foldIn(key, 0xdead))) })
    else if (id === 'zero') rows.push({ id, test: test(id, zeroPolicy) })
    else if (id === 'pixels') {
      const networks = actorNetworks(64 * 64 + 2, config.hiddenSizes, pixelArchitecture(config))
      const policyOf = (actor: Params) => actorPolicy(networks, actor, (observation) => observation)
      rows.push(await learnedRow(id, experimentFor(config, 'pixels'), policyOf))
    } else {
      const started = Date.now()
      const data = framesFor(config.vaeEpisodes)
      const trained: TrainedVae = trainVae(
        data,
        {
          latentSize: config.latentSize,
          filters: config.vaeFilters,
          beta: config.vaeBeta,
          learningRate: config.vaeLearningRate,
          batchSize: config.vaeBatchSize,
          steps: config.vaeTrainSteps,
          key: Rng.foldIn(key, 0x7ae),
        },
        config.progressEvery,
        log,
      )
      try {
        const pretrainSeconds = (Date.now() - started) / 1000
        vaeFigures = { losses: trained.losses, frames: data.count, seconds: pretrainSeconds }
        const heldOut = collectFrames({ episodes: 4, seed: config.seed + 1_000_003, every: 10, maxFrames: 16 })
        write('reconstructions.png', encodePng(reconstructionSheet(trained, heldOut, 16)))
        const encoder = vaeImageEncoder(trained)
        const env = registerLatentEnv(encoder)
        const experiment = experimentFor(config, 'vae', env)
        const networks = actorNetworks(config.latentSize + 2, config.hiddenSizes, { kind: 'mlp' })
        const policyOf = (actor: Params) =>
          actorPolicy(networks, actor, (observation) => latentObservation(encoder, observation))
        rows.push(await learnedRow(id, experiment, policyOf, pretrainSeconds))
      } finally {
        disposeTrainedVae(trained)
      }
    }
  }

  write('frames.png', encodePng(frameSheet(frames ?? framesFor(10))))
  write('table.md', renderTable(rows, road))
  const learned = (['pixels', 'vae'] as const).filter((row) => curves[row] !== undefined)
  const panel = (title: string, xLabel: string, yLabel: string, series: readonly Series[]) => ({
    series,
    options: { title, xLabel, yLabel, width: 760, height: 300 },
  })
  const panels = [
    ...(learned.length === 0
      ? []
      : [
          panel(
            `DDPG on LaneFollowing-v0, seed ${config.seed}: metres per training episode (10-episode mean)`,
            'environment steps',
            'metres',
            learned.map((row) => ({ name: ROW_NAMES[row], points: movingAverage(curves[row]?.episodes ?? [], 10) })),
          ),
          panel(
            `validation road (seed ${config.validationSeed}, ${config.validationRoute} m): metres per disengagement of the actor`,
            'environment steps',
            'metres per disengagement',
            learned.map((row) => ({ name: ROW_NAMES[row], points: validations[row] ?? [] })),
          ),
          panel(
            'critic loss (100-update mean)',
            'environment steps',
            'loss',
            learned.map((row) => ({
              name: ROW_NAMES[row],
              points: thin(movingAverage(curves[row]?.criticLoss ?? [], 100)),
            })),
          ),
        ]),
    ...(vaeFigures === undefined
      ? []
      : [
          panel('VAE training loss per image (reconstruction, KL)', 'VAE step', 'loss', [
            { name: 'reconstruction', points: thin(vaeFigures.losses.map((l) => [l.step, l.reconstruction] as const)) },
            { name: 'KL', points: thin(vaeFigures.losses.map((l) => [l.step, l.kl] as const)) },
          ]),
        ]),
  ]
  if (panels.length > 0) write('curves.svg', stackCharts(panels))
  const tenth = <T>(xs: readonly T[], last: boolean): readonly T[] => {
    const n = Math.max(1, Math.floor(xs.length / 10))
    return last ? xs.slice(-n) : xs.slice(0, n)
  }
  const summary = {
    paper: 'Kendall et al. 2018, Learning to Drive in a Day, https://arxiv.org/abs/1807.00412, Table I',
    config,
    testRoad: road,
    machine: {
      cpus: os.cpus().length,
      platform: `${os.platform()} ${os.arch()}`,
      node: process.version,
      backend: nativeKernelsActive() ? 'native' : tf.getBackend(),
    },
    rows: rows.map((row) => ({ ...row, name: ROW_NAMES[row.id] })),
    curves: Object.fromEntries(
      learned.map((row) => {
        const c = curves[row] as TrainingCurves
        const returns = c.episodes.map(([, r]) => r)
        const losses = c.criticLoss.map(([, l]) => l)
        return [
          row,
          {
            metresPerEpisode: {
              first10: mean(returns.slice(0, 10)),
              last10: mean(returns.slice(-10)),
              best: returns.length > 0 ? Math.max(...returns) : Number.NaN,
            },
            validations: validations[row] ?? [],
            criticLoss: { firstTenth: mean(tenth(losses, false)), lastTenth: mean(tenth(losses, true)) },
          },
        ]
      }),
    ),
    ...(vaeFigures === undefined
      ? {}
      : {
          vae: {
            frames: vaeFigures.frames,
            seconds: vaeFigures.seconds,
            reconstruction: {
              firstTenth: mean(tenth(vaeFigures.losses, false).map((l) => l.reconstruction)),
              lastTenth: mean(tenth(vaeFigures.losses, true).map((l) => l.reconstruction)),
            },
            kl: { lastTenth: mean(tenth(vaeFigures.losses, true).map((l) => l.kl)) },
          },
        }),
  }
  write('summary.json', `${JSON.stringify(summary, null, 2)}\n`)
  return { rows, curves, ...(vaeFigures === undefined ? {} : { vae: vaeFigures }), summary, files }
}
