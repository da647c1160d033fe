/**
 * The comparison: D4PG with Parkour (two-stream) networks and with standard MLP networks, same env, seed and budget,
 * one after the other, through `runExperiment`; both learning curves into one SVG and the figures into a JSON summary.
 *
 * @module compare
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { decodeOrThrow, NonNegativeInt, PositiveInt, PositiveNumber, strictObject, withDefaults } from '@polyak/core'
import { disposeExperimentSnapshot, type ExperimentEvent, runExperiment } from '@polyak/pipelines'
import { type Series, stackCharts } from '@polyak/trainer/svgChart'
import * as t from 'io-ts'
import { lastValueFrom, tap } from 'rxjs'

/**
 * The comparison's configuration, with defaults for the long run (BipedalWalkerHardcore-v3, 100k steps per
 * architecture). Both architectures have two hidden layers and about the same number of parameters: the MLP
 * `hiddenSizes` (256-256) against Parkour torsos of `torsoSizes` (128 each, terrain = lidar `[14, 24]`, the rest =
 * proprioception) merged by a head of `headSizes` (256). D4PG settings follow Acme where the budget allows: 51 atoms,
 * n = 5, prioritized replay, Gaussian σ 0.3, lr 1e-4, batch 256; vMin/vMax ±150 (a fall costs −100).
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(ParkourConfigCodec, { steps: 2_000, env: 'BipedalWalker-v3' })
 * ```
 */
export const ParkourConfigCodec = withDefaults(
  strictObject('ParkourConfig', {
    /** Env id; the observation must be proprioception then terrain like BipedalWalker's. */
    env: t.string,
    /** Env steps per architecture. */
    steps: PositiveInt,
    /** Seed of both runs. */
    seed: NonNegativeInt,
    /** Random-action steps before learning. */
    warmupSteps: NonNegativeInt,
    batchSize: PositiveInt,
    bufferSize: PositiveInt,
    /** Gradient steps per env step. */
    replayRatio: PositiveNumber,
    /** `[start, end)` of the terrain in the observation (BipedalWalker: the 10 lidar values). */
    terrain: t.tuple([NonNegativeInt, NonNegativeInt]),
    /** Hidden layers of the standard networks. */
    hiddenSizes: t.readonlyArray(PositiveInt),
    /** Layers of each Parkour torso. */
    torsoSizes: t.readonlyArray(PositiveInt),
    /** Hidden layers of the Parkour head. */
    headSizes: t.readonlyArray(PositiveInt),
    learningRate: PositiveNumber,
    vMin: t.number,
    vMax: t.number,
    /** Gaussian exploration σ (action half-range units). */
    explorationNoise: PositiveNumber,
    /** Evaluation episodes at the end of each run (0: none). */
    evalEpisodes: NonNegativeInt,
    /** Where `curves.svg` and `summary.json` go. */
    out: t.string,
    /** Seconds between progress lines (0: none). */
    progressEvery: t.number,
  }),
  {
    env: 'BipedalWalkerHardcore-v3',
    steps: 100_000,
    seed: 1,
    warmupSteps: 5_000,
    batchSize: 256,
    bufferSize: 1_000_000,
    replayRatio: 1,
    terrain: [14, 24],
    hiddenSizes: [256, 256],
    torsoSizes: [128],
    headSizes: [256],
    learningRate: 1e-4,
    vMin: -150,
    vMax: 150,
    explorationNoise: 0.3,
    evalEpisodes: 5,
    out: 'runs/parkour',
    progressEvery: 5,
  },
)

/**
 * A decoded comparison config.
 *
 * @example
 * ```ts
 * const config: ParkourConfig = decodeOrThrow(ParkourConfigCodec, {})
 * ```
 */
export type ParkourConfig = t.TypeOf<typeof ParkourConfigCodec>

/**
 * The two architectures compared.
 *
 * @example
 * ```ts
 * const kind: Architecture = 'parkour'
 * ```
 */
export type Architecture = 'parkour' | 'mlp'

/**
 * What one run produced: its episode returns, its critic loss every update, the final evaluation and the figures.
 *
 * @example
 * ```ts
 * const run: RunResult = await trainOne(config, 'parkour', console.log)
 * run.updates // learner steps taken
 * ```
 */
export interface RunResult {
  readonly architecture: Architecture
  /** `[env step, return]` of every finished training episode. */
  readonly episodes: ReadonlyArray<readonly [number, number]>
  /** `[env step, critic loss]` of every update. */
  readonly criticLoss: ReadonlyArray<readonly [number, number]>
  readonly updates: number
  readonly evaluation?: { readonly meanReturn: number; readonly returns: readonly number[] }
  readonly seconds: number
}

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length

/**
 * The experiment config of one architecture: D4PG on `config.env`, identical except for `networks` (and the MLP's
 * `hiddenSizes`, unused by the Parkour networks).
 *
 * @example
 * ```ts
 * runExperiment(experimentConfigFor(config, 'parkour')).subscribe((event) => console.log(event.type, event.t))
 * ```
 */
export const experimentConfigFor = (config: ParkourConfig, architecture: Architecture) => ({
  algo: 'd4pg' as const,
  env: config.env,
  steps: config.steps,
  seed: config.seed,
  warmupSteps: config.warmupSteps,
  batchSize: config.batchSize,
  bufferSize: config.bufferSize,
  replayRatio: config.replayRatio,
  explorationNoise: config.explorationNoise,
  evalEpisodes: config.evalEpisodes,
  agent: {
    hiddenSizes: config.hiddenSizes,
    actorLearningRate: config.learningRate,
    criticLearningRate: config.learningRate,
    vMin: config.vMin,
    vMax: config.vMax,
    // D4PG's defaults give 5-step returns and prioritized replay (α 0.6, β₀ 0.4, ε 1e-6); β reaches 1 at the last step
    sampler: { prioritized: { betaSteps: config.steps } },
  },
  networks:
    architecture === 'parkour'
      ? {
          kind: 'parkour' as const,
          terrain: config.terrain,
          torsoSizes: config.torsoSizes,
          headSizes: config.headSizes,
        }
      : { kind: 'mlp' as const },
})

/**
 * Trains one architecture to the end and collects its curves; `log` receives a progress line every
 * `config.progressEvery` seconds and a closing line.
 *
 * @example
 * ```ts
 * const run = await trainOne(config, 'mlp', (line) => process.stdout.write(`${line}\n`))
 * ```
 */
export const trainOne = async (
  config: ParkourConfig,
  architecture: Architecture,
  log: (line: string) => void,
): Promise<RunResult> => {
  const episodes: Array<readonly [number, number]> = []
  const criticLoss: Array<readonly [number, number]> = []
  let updates = 0
  let evaluation: RunResult['evaluation']
  const started = Date.now()
  let lastLine = started
  let lastT = 0
  const line = (t: number) => {
    const seconds = (Date.now() - started) / 1000
    const recent = episodes.slice(-10).map(([, r]) => r)
    const loss = mean(criticLoss.slice(-100).map(([, l]) => l))
    log(
      `[${architecture.padEnd(7)}] step ${t}/${config.steps}  ${(t / Math.max(seconds, 1e-9)).toFixed(0)} steps/s  ` +
        `episodes ${episodes.length}  return(last 10) ${recent.length > 0 ? mean(recent).toFixed(1) : '-'}  ` +
        `critic loss ${Number.isFinite(loss) ? loss.toFixed(3) : '-'}  updates ${updates}`,
    )
  }
  const onEvent = (event: ExperimentEvent) => {
    lastT = event.t
    if (event.type === 'episode') episodes.push([event.t + 1, event.return])
    else if (event.type === 'update') {
      updates = event.learnerStep
      criticLoss.push([event.t + 1, event.metrics['losses/critic']])
    } else if (event.type === 'evaluation') evaluation = { meanReturn: event.meanReturn, returns: event.returns }
    else if (event.type === 'final' || event.type === 'checkpoint') disposeExperimentSnapshot(event.snapshot)
    if (config.progressEvery > 0 && Date.now() - lastLine >= config.progressEvery * 1000) {
      lastLine = Date.now()
      line(event.t + 1)
    }
  }
  await lastValueFrom(runExperiment(experimentConfigFor(config, architecture)).pipe(tap(onEvent)), {
    defaultValue: undefined,
  })
  line(Math.max(lastT, config.steps))
  return {
    architecture,
    episodes,
    criticLoss,
    updates,
    ...(evaluation === undefined ? {} : { evaluation }),
    seconds: (Date.now() - started) / 1000,
  }
}

/**
 * The trailing mean over the last `window` points (the first points average what there is), for readable curves.
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

/**
 * The figures of a run for the JSON summary: returns of the first and last 10 episodes, the critic loss over the
 * first and last 10% of updates, the final evaluation, updates, time.
 *
 * @example
 * ```ts
 * const figures = summarize(run)
 * figures.criticLoss.last < figures.criticLoss.first // the critic learned
 * ```
 */
export const summarize = (run: RunResult) => {
  const returns = run.episodes.map(([, r]) => r)
  const losses = run.criticLoss.map(([, l]) => l)
  const tenth = Math.max(1, Math.floor(losses.length / 10))
  return {
    architecture: run.architecture,
    updates: run.updates,
    episodes: returns.length,
    seconds: Number(run.seconds.toFixed(1)),
    returns: {
      first10: mean(returns.slice(0, 10)),
      last10: mean(returns.slice(-10)),
      best: returns.length > 0 ? Math.max(...returns) : Number.NaN,
    },
    criticLoss: { first: mean(losses.slice(0, tenth)), last: mean(losses.slice(-tenth)) },
    ...(run.evaluation === undefined ? {} : { evaluation: run.evaluation }),
  }
}

/**
 * What {@link compare} returns: both runs and where the files went.
 *
 * @example
 * ```ts
 * const { runs, files } = await compare(config)
 * ```
 */
export interface Comparison {
  readonly runs: readonly RunResult[]
  readonly summary: Readonly<Record<string, unknown>>
  readonly files: { readonly svg: string; readonly json: string }
}

/**
 * Runs both architectures (Parkour first, then MLP) with the same config and writes `<out>/curves.svg` (episode
 * returns, 10-episode moving average, and the critic loss, both architectures per panel) and `<out>/summary.json`.
 *
 * @throws ConfigError for an invalid config (before anything runs)
 *
 * @example
 * ```ts
 * const { files } = await compare({ env: 'BipedalWalker-v3', steps: 20_000, out: 'runs/parkour-short' })
 * ```
 */
export const compare = async (input: unknown, log: (line: string) => void = () => {}): Promise<Comparison> => {
  const config = decodeOrThrow(ParkourConfigCodec, input, 'parkour config')
  for (const architecture of ['parkour', 'mlp'] as const) runExperiment(experimentConfigFor(config, architecture)) // validates both configs now (cold: nothing runs)
  const runs: RunResult[] = []
  for (const architecture of ['parkour', 'mlp'] as const) runs.push(await trainOne(config, architecture, log))
  mkdirSync(config.out, { recursive: true })
  const files = { svg: path.join(config.out, 'curves.svg'), json: path.join(config.out, 'summary.json') }
  const label = (a: Architecture) => (a === 'parkour' ? 'Parkour networks' : 'standard networks')
  const panel = (title: string, yLabel: string, series: readonly Series[]) => ({
    series,
    options: { title, xLabel: 'environment steps', yLabel, width: 760, height: 340 },
  })
  const svg = stackCharts([
    panel(
      `D4PG on ${config.env}: episode return (10-episode mean), seed ${config.seed}`,
      'return',
      runs.map((run) => ({ name: label(run.architecture), points: movingAverage(run.episodes, 10) })),
    ),
    panel(
      'critic loss (cross-entropy, 100-update mean)',
      'loss',
      runs.map((run) => ({
        name: label(run.architecture),
        points: movingAverage(run.criticLoss, 100).filter((_, i, all) => i % Math.ceil(all.length / 400) === 0),
      })),
    ),
  ])
  writeFileSync(files.svg, svg)
  const summary = {
    config,
    runs: Object.fromEntries(runs.map((run) => [run.architecture, summarize(run)])),
  }
  writeFileSync(files.json, `${JSON.stringify(summary, null, 2)}\n`)
  return { runs, summary, files }
}
