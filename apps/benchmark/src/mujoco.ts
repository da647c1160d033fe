/**
 * The MuJoCo results: reads the reference trainer's run folders (`config.json`, `metrics.jsonl`, validated with
 * io-ts), summarizes them per environment and algorithm (the greedy evaluation at 100k, 200k and 300k steps over
 * seeds, the last 10 training episodes at each run's end, which runs finished) and writes the report's text:
 * `mujoco.md`, `mujoco.json` and `mujoco.svg` (one panel per environment, one evaluation curve per run). The published
 * figures it compares against ({@link MUJOCO_REFERENCE}) are all at 1M steps: no source at hand gives 300k figures.
 *
 * @module mujoco
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { COLORS, escapeXml, niceDomain, plotAxes } from '@polyak/trainer/svgChart'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { groupedInt } from './report.js'
import { lastMean, mean, type Point } from './stats.js'

// ---------------------------------------------------------------------------------------------------------------
// reading a run folder

/** A whole number ≥ 0 (a step, a seed, a count). */
const Count = new t.Type<number, number, unknown>(
  'a whole number ≥ 0',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/** A finite number (JSON has no NaN: a NaN return would have been written as `null`). */
const Finite = new t.Type<number, number, unknown>(
  'a finite number',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/** The fields of the trainer's `config.json` the report uses (the others are left alone). */
const TrainerConfigCodec = t.intersection([
  t.type({ algo: t.string, env: t.string, seed: Count, steps: Count, warmupSteps: Count }),
  t.partial({ evalEvery: Count, evalEpisodes: Count, preset: t.string }),
])

/** A line of `metrics.jsonl`: a `step`, and where present, the fields the report uses with the right types. */
const MetricsLineCodec = t.intersection([
  t.type({ step: Count }),
  t.partial({
    event: t.string,
    backend: t.string,
    'charts/episodic_return': Finite,
    'eval/mean_return': Finite,
  }),
])

/** What an io-ts error says: the field (`seed`, `eval/mean_return`) and the problem. */
const describeError = (error: t.ValidationError): string => {
  const context = error.context
  let field = ''
  context.forEach((entry, i) => {
    const parent = context[i - 1]?.type
    if (i === 0 || parent instanceof t.IntersectionType) return
    field += parent instanceof t.ArrayType || parent instanceof t.ReadonlyArrayType ? `[${entry.key}]` : `.${entry.key}`
  })
  field = field.replace(/^\./, '')
  const expected = context.at(-1)?.type.name ?? 'something else'
  if (field === '') return `expected an object, got ${JSON.stringify(error.value) ?? String(error.value)}`
  const got = error.value === undefined ? 'missing' : `${JSON.stringify(error.value)}`
  return `field "${field}" is ${got} (expected ${expected})`
}

/** Decodes `value` with `codec`, or throws an Error naming `where` and the first bad field. */
const decodeOrThrow = <A>(codec: t.Decoder<unknown, A>, value: unknown, where: string): A => {
  const decoded = codec.decode(value)
  if (E.isRight(decoded)) return decoded.right
  throw new Error(`${where}: ${decoded.left.map(describeError)[0] ?? 'invalid'}`)
}

/**
 * One run of the reference trainer as the report needs it: its settings, the backend it ran on, every training
 * episode's return and every evaluation's mean return as `[step, return]` pairs, the last step it reached, and whether
 * it finished (an evaluation at or after its last step: the trainer evaluates at the end).
 *
 * @example
 * ```ts
 * const run: TrainerRun = readTrainerRun('/work/mjruns/td3-HalfCheetah-v5-s1')
 * run.finished // false while it runs
 * ```
 */
export interface TrainerRun {
  readonly algo: string
  /** The environment as the trainer names it, e.g. `HalfCheetah-v5`. */
  readonly env: string
  readonly seed: number
  /** The steps the run was asked for. */
  readonly steps: number
  readonly warmupSteps: number
  /** Steps between evaluations, where `config.json` says. */
  readonly evalEvery: number | undefined
  /** Greedy episodes per evaluation, where `config.json` says. */
  readonly evalEpisodes: number | undefined
  /** The trainer's preset (`cleanrl`), where `config.json` says. */
  readonly preset: string | undefined
  /** The backend of the `start` event (`native`, `wasm`, …); `unknown` when there is none. */
  readonly backend: string
  /** `[step, episodic return]` of every training episode, in order. */
  readonly returns: Point[]
  /** `[step, mean return]` of every evaluation, in order. */
  readonly evaluations: Point[]
  /** The largest step of any line of `metrics.jsonl` (how far a running or stopped run got). */
  readonly lastStep: number
  /** Whether an evaluation exists at a step ≥ {@link TrainerRun.steps}. */
  readonly finished: boolean
  /** The commit the run was made with, where it differs from the report's (a run carried over from an earlier one). */
  readonly commit?: string
}

const isDirectory = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false

const holdsRun = (dir: string): boolean =>
  existsSync(path.join(dir, 'config.json')) || existsSync(path.join(dir, 'metrics.jsonl'))

/**
 * The trainer run folder of `dir`: `dir` itself when it holds `config.json` or `metrics.jsonl`, else its one
 * subfolder that does (`<tag>/<Env>__<algo>__<seed>__<time>/`); `undefined` when none does.
 *
 * @throws Error when several subfolders hold a run
 *
 * @example
 * ```ts
 * findTrainerRunDir('/work/mjruns/td3-HalfCheetah-v5-s1') // '/work/mjruns/td3-HalfCheetah-v5-s1/HalfCheetah-v5__td3__1__1796357250'
 * ```
 */
export const findTrainerRunDir = (dir: string): string | undefined => {
  if (holdsRun(dir)) return dir
  if (!isDirectory(dir)) return undefined
  const found = readdirSync(dir)
    .sort()
    .map((name) => path.join(dir, name))
    .filter((child) => isDirectory(child) && holdsRun(child))
  if (found.length > 1) {
    throw new Error(
      `${dir} holds ${found.length} trainer run folders (${found.map((f) => path.basename(f)).join(', ')}): give one of them`,
    )
  }
  return found[0]
}

/** Parses the lines of `metrics.jsonl`; a last line without its newline that is not JSON is being written: skipped. */
const metricsLines = (text: string, file: string): Array<t.TypeOf<typeof MetricsLineCodec>> => {
  const lines = text.split('\n')
  const complete = text.endsWith('\n')
  return lines.flatMap((line, i) => {
    if (line.trim() === '') return []
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      if (i === lines.length - 1 && !complete) return [] // a line the trainer is writing now
      throw new Error(`${file} line ${i + 1}: not JSON`)
    }
    return [decodeOrThrow(MetricsLineCodec, json, `${file} line ${i + 1}`)]
  })
}

/**
 * Reads one reference-trainer run: the folder that holds `config.json` and `metrics.jsonl`, or its parent `<tag>/`
 * holding exactly one such folder. Both files are checked with io-ts; lines of `metrics.jsonl` other than the
 * `start` event, episodes and evaluations (losses, `charts/sps`) are skipped.
 *
 * @throws Error naming the file (and line) and the bad field, or saying which file is missing
 *
 * @example
 * ```ts
 * const { env, algo, seed, evaluations } = readTrainerRun('/work/mjruns/td3-HalfCheetah-v5-s1')
 * evaluations[0] // e.g. [10000, -1.09]
 * ```
 */
export const readTrainerRun = (dir: string): TrainerRun => {
  const runDir = findTrainerRunDir(dir)
  if (runDir === undefined) {
    throw new Error(`${dir}: no trainer run folder (one holding config.json and metrics.jsonl) in it or under it`)
  }
  const configFile = path.join(runDir, 'config.json')
  const metricsFile = path.join(runDir, 'metrics.jsonl')
  for (const file of [configFile, metricsFile]) {
    if (!existsSync(file)) throw new Error(`${file}: missing`)
  }
  let configJson: unknown
  try {
    configJson = JSON.parse(readFileSync(configFile, 'utf8'))
  } catch (error) {
    throw new Error(`${configFile}: not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  const config = decodeOrThrow(TrainerConfigCodec, configJson, configFile)

  const returns: Point[] = []
  const evaluations: Point[] = []
  let backend: string | undefined
  let lastStep = 0
  for (const record of metricsLines(readFileSync(metricsFile, 'utf8'), metricsFile)) {
    lastStep = Math.max(lastStep, record.step)
    if (record.event === 'start' && record.backend !== undefined) backend ??= record.backend
    const episodic = record['charts/episodic_return']
    if (episodic !== undefined) returns.push([record.step, episodic])
    const evaluation = record['eval/mean_return']
    if (evaluation !== undefined) evaluations.push([record.step, evaluation])
  }
  return {
    algo: config.algo,
    env: config.env,
    seed: config.seed,
    steps: config.steps,
    warmupSteps: config.warmupSteps,
    evalEvery: config.evalEvery,
    evalEpisodes: config.evalEpisodes,
    preset: config.preset,
    backend: backend ?? 'unknown',
    returns,
    evaluations,
    lastStep,
    finished: evaluations.some(([step]) => step >= config.steps),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the published figures

/**
 * A published figure: the mean return of an algorithm on an environment (named without its version, e.g.
 * `HalfCheetah`), and the `±` published with it where there is one.
 *
 * @example
 * ```ts
 * const figure: MujocoReferenceFigure = { env: 'Hopper', algo: 'td3', mean: 3134.61, plusMinus: 360.18 }
 * ```
 */
export interface MujocoReferenceFigure {
  readonly env: string
  readonly algo: string
  readonly mean: number
  readonly plusMinus?: number
}

/**
 * A source of published MuJoCo figures and how they were made.
 *
 * @example
 * ```ts
 * const source: MujocoReferenceSource = MUJOCO_REFERENCE[0] as MujocoReferenceSource
 * source.steps // 1000000
 * ```
 */
export interface MujocoReferenceSource {
  /** A short name for tables. */
  readonly name: string
  /** Where the figures come from and what they measure, one sentence for the report. */
  readonly provenance: string
  /** The environment version the figures were made on (`v4`, `v1`). */
  readonly envVersion: string
  readonly seeds: number
  /** The training steps the figures are at: 1M for every source here. */
  readonly steps: number
  readonly figures: readonly MujocoReferenceFigure[]
}

/**
 * Published TD3 and DDPG figures on HalfCheetah, Walker2d and Hopper, **all at 1M steps**: no source at hand gives
 * figures at 300k steps, so they bound what a 300k-step run may reach rather than match it.
 *
 * - CleanRL's `td3_continuous_action.py` and `ddpg_continuous_action.py` (docs/rl-algorithms/td3.md and ddpg.md):
 *   gym MuJoCo v4, 3 seeds, the average episodic return of the training episodes (with exploration noise) at the end of
 *   1M steps, ± over the seeds as published.
 * - Fujimoto et al. 2018 (the TD3 paper, arXiv:1802.09477), Table 1: gym MuJoCo v1, 10 seeds, the maximum over 1M
 *   steps of the average return of the greedy evaluations, ± one standard deviation over the seeds (none for their
 *   DDPG, "Our DDPG"). CleanRL's docs quote the same figures.
 *
 * @example
 * ```ts
 * MUJOCO_REFERENCE.flatMap((s) => s.figures).filter((f) => f.env === 'Hopper' && f.algo === 'td3').map((f) => f.mean)
 * // [3134.61, 3564.07]
 * ```
 */
export const MUJOCO_REFERENCE: readonly MujocoReferenceSource[] = [
  {
    name: 'CleanRL',
    provenance:
      "CleanRL's `td3_continuous_action.py` and `ddpg_continuous_action.py` as reported in CleanRL's docs " +
      '(docs/rl-algorithms/td3.md, ddpg.md): gym MuJoCo v4, 3 seeds, the average episodic return of the training ' +
      'episodes (with exploration noise) at the end of 1M steps, ± over the seeds as published',
    envVersion: 'v4',
    seeds: 3,
    steps: 1_000_000,
    figures: [
      { env: 'HalfCheetah', algo: 'td3', mean: 9583.22, plusMinus: 126.09 },
      { env: 'Walker2d', algo: 'td3', mean: 4057.59, plusMinus: 658.78 },
      { env: 'Hopper', algo: 'td3', mean: 3134.61, plusMinus: 360.18 },
      { env: 'HalfCheetah', algo: 'ddpg', mean: 10374.07, plusMinus: 157.37 },
      { env: 'Walker2d', algo: 'ddpg', mean: 1240.16, plusMinus: 390.1 },
      { env: 'Hopper', algo: 'ddpg', mean: 1576.78, plusMinus: 818.98 },
    ],
  },
  {
    name: 'TD3 paper',
    provenance:
      'Fujimoto et al. 2018, "Addressing Function Approximation Error in Actor-Critic Methods" (arXiv:1802.09477), ' +
      "Table 1, as quoted in CleanRL's docs: gym MuJoCo v1, 10 seeds, the maximum over 1M steps of the average " +
      'return of the greedy evaluations, ± one standard deviation over the seeds; DDPG is their "Our DDPG" (no ± ' +
      'published)',
    envVersion: 'v1',
    seeds: 10,
    steps: 1_000_000,
    figures: [
      { env: 'HalfCheetah', algo: 'td3', mean: 9636.95, plusMinus: 859.065 },
      { env: 'Walker2d', algo: 'td3', mean: 4682.82, plusMinus: 539.64 },
      { env: 'Hopper', algo: 'td3', mean: 3564.07, plusMinus: 114.74 },
      { env: 'HalfCheetah', algo: 'ddpg', mean: 8577.29 },
      { env: 'Walker2d', algo: 'ddpg', mean: 3098.11 },
      { env: 'Hopper', algo: 'ddpg', mean: 1860.02 },
    ],
  },
]

// ---------------------------------------------------------------------------------------------------------------
// the summary

/**
 * The steps at which the report compares the runs' evaluations.
 *
 * @example
 * ```ts
 * CHECKPOINTS.map((step) => evaluationAt(run.evaluations, step)?.[1])
 * ```
 */
export const CHECKPOINTS = [100_000, 200_000, 300_000] as const

/**
 * An evaluation counts for a checkpoint when its step is in [checkpoint, checkpoint + this): the trainer evaluates
 * every 10 000 steps, so a run that got to a checkpoint has exactly one evaluation there.
 *
 * @example
 * ```ts
 * evaluationAt([[109_999, 1]], 100_000, CHECKPOINT_TOLERANCE) // [109999, 1]
 * ```
 */
export const CHECKPOINT_TOLERANCE = 10_000

/**
 * Training episodes in each run's final mean.
 *
 * @example
 * ```ts
 * lastMean(run.returns, FINAL_WINDOW) // the mean of the run's last 10 training returns
 * ```
 */
export const FINAL_WINDOW = 10

/**
 * The evaluation a checkpoint takes from a run: the one with the smallest step ≥ `checkpoint`, if that step is below
 * `checkpoint + tolerance`; `undefined` when the run has none there (it had not got there).
 *
 * @example
 * ```ts
 * evaluationAt([[90_000, 1], [100_000, 2], [110_000, 3]], 100_000) // [100000, 2]
 * evaluationAt([[90_000, 1]], 100_000) // undefined
 * ```
 */
export const evaluationAt = (
  evaluations: readonly Point[],
  checkpoint: number,
  tolerance = CHECKPOINT_TOLERANCE,
): Point | undefined => {
  let best: Point | undefined
  for (const point of evaluations) {
    if (point[0] >= checkpoint && point[0] < checkpoint + tolerance && (best === undefined || point[0] < best[0])) {
      best = point
    }
  }
  return best
}

/**
 * Values over seeds: how many, their mean, the smallest and the largest.
 *
 * @example
 * ```ts
 * const spread: Spread = { n: 3, mean: 2, min: 1, max: 3 }
 * ```
 */
export interface Spread {
  readonly n: number
  readonly mean: number
  readonly min: number
  readonly max: number
}

const spreadOf = (xs: readonly number[]): Spread | undefined =>
  xs.length === 0 ? undefined : { n: xs.length, mean: mean(xs), min: Math.min(...xs), max: Math.max(...xs) }

/**
 * One checkpoint of a group: each seed's evaluation there (`step` is the evaluation's own step) and their spread
 * (`undefined` when no run got there).
 *
 * @example
 * ```ts
 * const checkpoint: MujocoCheckpoint = { step: 100_000, values: [{ seed: 1, step: 100_000, value: 3790 }], spread: undefined }
 * ```
 */
export interface MujocoCheckpoint {
  readonly step: number
  readonly values: ReadonlyArray<{ readonly seed: number; readonly step: number; readonly value: number }>
  readonly spread: Spread | undefined
}

/**
 * One run in a group: its seed, the steps asked for and reached, whether it finished, and the mean of its last
 * {@link FINAL_WINDOW} training episodes at the step it reached.
 *
 * @example
 * ```ts
 * const run: MujocoRunFigures = { seed: 1, steps: 300_000, lastStep: 98_151, finished: false, final10: 3801.7 }
 * ```
 */
export interface MujocoRunFigures {
  readonly seed: number
  readonly steps: number
  readonly lastStep: number
  readonly finished: boolean
  readonly final10: number | undefined
  /** {@link TrainerRun.commit}. */
  readonly commit?: string
}

/**
 * An environment × algorithm: its seeds, the evaluations at each of {@link CHECKPOINTS}, every run's figures, and the
 * spread of the final 10-episode training mean over the runs that finished (`undefined` when none did).
 *
 * @example
 * ```ts
 * const group: MujocoGroup = mujocoSummary(runs).groups[0] as MujocoGroup
 * group.checkpoints.map((c) => c.spread?.mean)
 * ```
 */
export interface MujocoGroup {
  readonly env: string
  readonly algo: string
  readonly seeds: readonly number[]
  readonly checkpoints: readonly MujocoCheckpoint[]
  readonly runs: readonly MujocoRunFigures[]
  readonly final10: Spread | undefined
}

/**
 * The settings the runs were made with, each as its distinct values over the runs (one value when they agree).
 *
 * @example
 * ```ts
 * const settings: MujocoSettings = mujocoSummary(runs).settings
 * settings.steps // e.g. [300000]
 * ```
 */
export interface MujocoSettings {
  readonly presets: readonly string[]
  readonly steps: readonly number[]
  readonly warmupSteps: readonly number[]
  readonly evalEvery: readonly number[]
  readonly evalEpisodes: readonly number[]
  readonly backends: readonly string[]
}

/**
 * What {@link mujocoSummary} finds: the checkpoints and window it used, the runs' settings and one group per
 * environment and algorithm.
 *
 * @example
 * ```ts
 * const summary: MujocoSummary = mujocoSummary([readTrainerRun('/work/mjruns/td3-HalfCheetah-v5-s1')])
 * summary.groups.length // 1
 * ```
 */
export interface MujocoSummary {
  readonly checkpoints: readonly number[]
  readonly tolerance: number
  readonly window: number
  readonly settings: MujocoSettings
  readonly groups: readonly MujocoGroup[]
}

/** HalfCheetah, Walker2d, Hopper first (the references' order), then any other environment by name. */
const ENV_ORDER = ['HalfCheetah', 'Walker2d', 'Hopper']
/** TD3 before DDPG in the tables, then any other algorithm by name. */
const TABLE_ALGO_ORDER = ['td3', 'ddpg', 'd4pg']

/** The environment without its version: `HalfCheetah-v5` → `HalfCheetah`. */
const envBase = (env: string): string => env.replace(/-v\d+$/, '')

const orderBy =
  (order: readonly string[], key: (s: string) => string = (s) => s) =>
  (a: string, b: string): number => {
    const rank = (s: string) => {
      const i = order.indexOf(key(s))
      return i < 0 ? order.length : i
    }
    return rank(a) - rank(b) || a.localeCompare(b)
  }

const distinctSorted = <A extends string | number>(xs: readonly (A | undefined)[]): A[] =>
  [...new Set(xs.filter((x): x is A => x !== undefined))].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
  )

/**
 * Groups the runs by environment and algorithm and summarizes each group: at each of {@link CHECKPOINTS} the
 * evaluation per seed ({@link evaluationAt}) with its mean and min–max over the seeds that got there; each run's mean
 * over its last {@link FINAL_WINDOW} training episodes at the step it reached, and whether it finished; the spread of
 * that final mean over the finished runs.
 *
 * @example
 * ```ts
 * const summary = mujocoSummary(runs)
 * summary.groups.map((g) => `${g.env} ${g.algo}: ${g.checkpoints[0]?.spread?.mean}`)
 * ```
 */
export const mujocoSummary = (runs: readonly TrainerRun[]): MujocoSummary => {
  const envs = distinctSorted(runs.map((run) => run.env)).sort(orderBy(ENV_ORDER, envBase))
  const algos = distinctSorted(runs.map((run) => run.algo)).sort(orderBy(TABLE_ALGO_ORDER))
  const groups = envs.flatMap((env) =>
    algos.flatMap((algo): MujocoGroup[] => {
      const members = runs.filter((run) => run.env === env && run.algo === algo).sort((a, b) => a.seed - b.seed)
      if (members.length === 0) return []
      const figures = members.map((run) => ({
        seed: run.seed,
        steps: run.steps,
        lastStep: run.lastStep,
        finished: run.finished,
        final10: lastMean(run.returns, FINAL_WINDOW),
        ...(run.commit !== undefined && { commit: run.commit }),
      }))
      return [
        {
          env,
          algo,
          seeds: members.map((run) => run.seed),
          checkpoints: CHECKPOINTS.map((step) => {
            const values = members.flatMap((run) => {
              const at = evaluationAt(run.evaluations, step)
              return at === undefined ? [] : [{ seed: run.seed, step: at[0], value: at[1] }]
            })
            return { step, values, spread: spreadOf(values.map((v) => v.value)) }
          }),
          runs: figures,
          final10: spreadOf(figures.flatMap((f) => (f.finished && f.final10 !== undefined ? [f.final10] : []))),
        },
      ]
    }),
  )
  return {
    checkpoints: [...CHECKPOINTS],
    tolerance: CHECKPOINT_TOLERANCE,
    window: FINAL_WINDOW,
    settings: {
      presets: distinctSorted(runs.map((run) => run.preset)),
      steps: distinctSorted(runs.map((run) => run.steps)),
      warmupSteps: distinctSorted(runs.map((run) => run.warmupSteps)),
      evalEvery: distinctSorted(runs.map((run) => run.evalEvery)),
      evalEpisodes: distinctSorted(runs.map((run) => run.evalEpisodes)),
      backends: distinctSorted(runs.map((run) => run.backend)),
    },
    groups,
  }
}

/** A run as an earlier `mujoco.json` holds it (`null` where a field was unknown). */
const PreviousRunCodec = t.intersection([
  t.type({
    env: t.string,
    algo: t.string,
    seed: Count,
    steps: Count,
    warmupSteps: Count,
    evalEvery: t.union([Count, t.null]),
    evalEpisodes: t.union([Count, t.null]),
    preset: t.union([t.string, t.null]),
    backend: t.string,
    lastStep: Count,
    finished: t.boolean,
    evaluations: t.array(t.tuple([Count, Finite])),
    returns: t.array(t.tuple([Count, Finite])),
  }),
  t.partial({ commit: t.string }),
])

const PreviousReportCodec = t.type({ meta: t.type({ commit: t.string }), runs: t.array(PreviousRunCodec) })

/**
 * The runs of an earlier report's `mujoco.json`, each with the commit it was made with (its own, else the report's),
 * so that a new report can carry them over when their run folders are gone.
 *
 * @throws Error naming the field when the file is not such a report
 *
 * @example
 * ```ts
 * const earlier = previousRuns(JSON.parse(readFileSync('docs/results/mujoco.json', 'utf8')))
 * earlier[0]?.commit // '9bb743b'
 * ```
 */
export const previousRuns = (json: unknown): TrainerRun[] => {
  const decoded = PreviousReportCodec.decode(json)
  if (decoded._tag === 'Left') {
    const problems = decoded.left.slice(0, 3).map(describeError)
    throw new Error(`not a mujoco.json report: ${problems.join('; ')}`)
  }
  const { meta, runs } = decoded.right
  return runs.map((run) => ({
    env: run.env,
    algo: run.algo,
    seed: run.seed,
    steps: run.steps,
    warmupSteps: run.warmupSteps,
    evalEvery: run.evalEvery ?? undefined,
    evalEpisodes: run.evalEpisodes ?? undefined,
    preset: run.preset ?? undefined,
    backend: run.backend,
    lastStep: run.lastStep,
    finished: run.finished,
    evaluations: run.evaluations.map(([step, value]) => [step, value] as Point),
    returns: run.returns.map(([step, value]) => [step, value] as Point),
    commit: run.commit ?? meta.commit,
  }))
}

/**
 * `runs` with the `earlier` runs no run of `runs` replaces (the same environment, algorithm and seed) added.
 *
 * @example
 * ```ts
 * const all = withEarlierRuns(readRuns, previousRuns(earlierJson)) // a fresh run folder wins over the earlier report
 * ```
 */
export const withEarlierRuns = (runs: readonly TrainerRun[], earlier: readonly TrainerRun[]): TrainerRun[] => [
  ...runs,
  ...earlier.filter((e) => !runs.some((r) => r.env === e.env && r.algo === e.algo && r.seed === e.seed)),
]

// ---------------------------------------------------------------------------------------------------------------
// the report

/**
 * Where and when the report was made.
 *
 * @example
 * ```ts
 * const meta: MujocoMeta = { cpu: 'AMD EPYC 9B14', cores: 2, date: '2026-12-04', commit: '9bb743b' }
 * ```
 */
export interface MujocoMeta {
  readonly cpu: string
  readonly cores: number
  /** ISO day. */
  readonly date: string
  readonly commit: string
}

const NAMES: Record<string, string> = { ddpg: 'DDPG', td3: 'TD3', d4pg: 'D4PG' }
const algoName = (algo: string): string => NAMES[algo] ?? algo

/** `1 234 (1 000–1 500)`, one value alone, `, 2 of 3 seeds` when not every seed is there; `–` for none. */
const spreadText = (spread: Spread | undefined, of: number, at = ''): string => {
  if (spread === undefined) return '–'
  const value =
    spread.n === 1
      ? groupedInt(spread.mean)
      : `${groupedInt(spread.mean)} (${groupedInt(spread.min)}–${groupedInt(spread.max)})`
  return spread.n < of ? `${value}${at}, ${spread.n} of ${of} seeds` : `${value}${at}`
}

/** A Markdown table with its columns padded to one width. */
const table = (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] => {
  const widths = header.map((cell, i) => Math.max(cell.length, 3, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
}

const list = (xs: readonly (string | number)[], fallback: string): string =>
  xs.length === 0 ? fallback : xs.map((x) => (typeof x === 'number' ? String(x) : x)).join(' or ')

const kSteps = (step: number): string => `${step / 1000}k`

const referenceText = (figure: MujocoReferenceFigure | undefined): string =>
  figure === undefined
    ? '–'
    : figure.plusMinus === undefined
      ? `${figure.mean}`
      : `${figure.mean} ± ${figure.plusMinus}`

/**
 * `mujoco.md`: what was run (the trainer command, the settings), where and when the report was made, a table per
 * environment × algorithm (seeds; the evaluation at 100k, 200k and 300k steps as `mean (min–max)` over seeds, `–`
 * where no run got there; the final 10-episode training mean over the finished runs), every run (unfinished ones with
 * the last step they reached), and the published 1M-step figures of {@link MUJOCO_REFERENCE}.
 *
 * @example
 * ```ts
 * const md = mujocoMarkdown(mujocoSummary(runs), { cpu: 'AMD EPYC 9B14', cores: 2, date: '2026-12-04', commit: '9bb743b' })
 * ```
 */
export const mujocoMarkdown = (summary: MujocoSummary, meta: MujocoMeta): string => {
  const { settings, groups } = summary
  const envs = [...new Set(groups.map((g) => g.env))]
  const algos = [...new Set(groups.map((g) => g.algo))]
  const allRuns = groups.flatMap((g) => g.runs)
  const unfinished = groups.flatMap((g) => g.runs.filter((r) => !r.finished).map((r) => ({ group: g, run: r })))
  const checkpointHeader = summary.checkpoints.map((step) => `eval at ${kSteps(step)}`)
  const finalHeader = `last ${summary.window} training episodes at the end`

  // where the runs were asked for different step counts, say at which the finished ones ended
  const endsText = (g: MujocoGroup): string =>
    settings.steps.length <= 1
      ? ''
      : ` at ${[...new Set(g.runs.filter((r) => r.finished).map((r) => r.steps))]
          .sort((a, b) => a - b)
          .map(kSteps)
          .join(' and ')}`
  const rows = groups.map((g) => [
    g.env,
    algoName(g.algo),
    g.seeds.join(', '),
    ...g.checkpoints.map((c) => spreadText(c.spread, g.seeds.length)),
    g.final10 === undefined ? '– (none finished)' : spreadText(g.final10, g.seeds.length, endsText(g)),
  ])
  // runs carried over from an earlier report keep the commit they were made with
  const commits = [...new Set(allRuns.map((r) => r.commit ?? meta.commit))]
  const commitText =
    commits.length === 1
      ? `Runs made with commit ${meta.commit}`
      : `Runs made with commits ${commits.join(', ')} (each run's in the table of every run)`
  const runRows = groups.flatMap((g) =>
    g.runs.map((r) => [
      ...(commits.length === 1 ? [] : [r.commit ?? meta.commit]),
      g.env,
      algoName(g.algo),
      String(r.seed),
      r.finished ? `yes (${groupedInt(r.steps)})` : `no: at step ${groupedInt(r.lastStep)} of ${groupedInt(r.steps)}`,
      ...g.checkpoints.map((c) => {
        const value = c.values.find((v) => v.seed === r.seed)
        return value === undefined ? '–' : groupedInt(value.value)
      }),
      r.final10 === undefined ? '–' : groupedInt(r.final10),
    ]),
  )
  const referenceRows = [...new Set([...ENV_ORDER, ...envs.map(envBase)])]
    .filter((env) => MUJOCO_REFERENCE.some((s) => s.figures.some((f) => f.env === env)))
    .flatMap((env) =>
      ['td3', 'ddpg'].map((algo) => [
        env,
        algoName(algo),
        ...MUJOCO_REFERENCE.map((s) => referenceText(s.figures.find((f) => f.env === env && f.algo === algo))),
      ]),
    )

  const evalEvery = list(settings.evalEvery.map(groupedInt), '?')
  const evalEpisodes = list(settings.evalEpisodes, '?')
  const warmup = list(settings.warmupSteps.map(groupedInt), '?')
  return [
    `# MuJoCo: ${algos.map(algoName).join(', ')} on ${envs.join(', ')}`,
    '',
    `The reference trainer, once per environment, algorithm and seed (${allRuns.length} run${allRuns.length === 1 ? '' : 's'}):`,
    '',
    `    npm start -- --preset ${list(settings.presets, 'cleanrl')} --algo <algo> --env <env> --seed <seed> ` +
      `--steps ${list(settings.steps, '<steps>')} --warmup-steps ${list(settings.warmupSteps, '<warmup>')} --checkpoint-every 50000`,
    '',
    "CleanRL's settings (the `cleanrl` preset: 256-256 actor and critic, batch 256 from a 1M replay, Adam 3e-4, " +
      'Gaussian exploration σ 0.1 of the action range, τ 0.005, γ 0.99; TD3: policy delay 2, target smoothing 0.2 ' +
      `clipped at 0.5) except the warm-up: ${warmup} uniformly random steps before learning, where CleanRL's scripts ` +
      "take 25 000 (rl-zoo's TD3 MuJoCo settings take 10 000; the TD3 paper took 10 000 on HalfCheetah and Ant, 1 000 " +
      `elsewhere). Evaluation: ${evalEpisodes} greedy episodes every ${evalEvery} steps and at the end. Checkpoints ` +
      'change nothing that is learned.',
    '',
    `${commitText}; report written ${meta.date} on ${meta.cpu} (${meta.cores} core${meta.cores === 1 ? '' : 's'}). ` +
      `Backend: ${list(settings.backends, 'unknown')}.`,
    '',
    '## Results',
    '',
    ...table(['environment', 'algorithm', 'seeds', ...checkpointHeader, finalHeader], rows),
    '',
    `"eval at 100k": the mean return of the greedy evaluation at that step (the first at or after it, within ` +
      `${groupedInt(summary.tolerance)} steps), as the mean over seeds (lowest–highest seed); \`–\`: no run got there ` +
      `yet. "${finalHeader}": each finished run's mean return over its last ${summary.window} training episodes ` +
      '(with exploration noise), as the mean over the finished runs (lowest–highest).',
    ...(unfinished.length === 0
      ? []
      : [
          '',
          `Unfinished: ${unfinished
            .map(
              ({ group, run }) =>
                `${group.env} ${algoName(group.algo)} seed ${run.seed} (at step ${groupedInt(run.lastStep)} of ${groupedInt(run.steps)})`,
            )
            .join('; ')}.`,
        ]),
    '',
    '## Every run',
    '',
    ...table(
      [
        ...(commits.length === 1 ? [] : ['commit']),
        'environment',
        'algorithm',
        'seed',
        'finished',
        ...checkpointHeader,
        `last ${summary.window} training episodes`,
      ],
      runRows,
    ),
    '',
    '## Reference (1M steps)',
    '',
    ...table(
      [
        'environment',
        'algorithm',
        ...MUJOCO_REFERENCE.map((s) => `${s.name} (${s.envVersion}, ${s.seeds} seeds, ${groupedInt(s.steps)} steps)`),
      ],
      referenceRows,
    ),
    '',
    `These are figures at **1M steps**, where the runs above stop at ${list(settings.steps.map(groupedInt), '?')}: ` +
      'no source at hand gives figures at 300k steps, so they show where the curves are headed, not where they ' +
      'should be now. They measure different ' +
      'things, too: CleanRL reports training episodes (with exploration noise), the TD3 paper the best greedy ' +
      'evaluation over the whole run, this report the greedy evaluation at each step; and the environments differ ' +
      `(gym MuJoCo v4 and v1; the runs above: ${envs.join(', ')}).`,
    '',
    ...MUJOCO_REFERENCE.map((s) => `- ${s.name}: ${s.provenance}.`),
    '',
    "Curves: [mujoco.svg](mujoco.svg) (every run's greedy evaluations, one panel per environment). Every run's " +
      'returns and evaluations as `[step, return]` pairs: [mujoco.json](mujoco.json).',
    '',
  ].join('\n')
}

/** SVG colours per algorithm, as in pendulum.svg: DDPG, TD3, D4PG, then any other. */
const COLOR_ORDER = ['ddpg', 'td3', 'd4pg']

const num = (v: number): string => v.toFixed(1)

/**
 * `mujoco.svg`: one panel per environment side by side (x: environment step, y: the greedy evaluation's mean
 * return), one `<polyline class="run">` per run in its algorithm's colour (dashed while unfinished), a legend under
 * the title. Axes as the trainer's charts draw them (`plotAxes`).
 *
 * @example
 * ```ts
 * writeFileSync('mujoco.svg', mujocoSvg(runs))
 * ```
 */
export const mujocoSvg = (runs: readonly TrainerRun[]): string => {
  const envs = distinctSorted(runs.map((run) => run.env)).sort(orderBy(ENV_ORDER, envBase))
  const algos = distinctSorted(runs.map((run) => run.algo)).sort(orderBy(COLOR_ORDER))
  const colorOf = (algo: string): string => {
    const known = COLOR_ORDER.indexOf(algo)
    const i = known >= 0 ? known : COLOR_ORDER.length + algos.filter((a) => !COLOR_ORDER.includes(a)).indexOf(algo)
    return COLORS[i % COLORS.length] as string
  }
  const panelW = 440
  const panelH = 360
  const top = 64
  const title = 'MuJoCo: the greedy evaluations of every run'
  const width = Math.max(Math.max(1, envs.length) * panelW, 640)
  const height = top + panelH
  const margin = { left: 70, top: 36 }
  const plotW = panelW - margin.left - 40 // room for the seed labels and the last tick label
  const plotH = panelH - margin.top - 50

  const panels = envs.map((env, p) => {
    const members = runs
      .filter((run) => run.env === env)
      .sort((a, b) => orderBy(COLOR_ORDER)(a.algo, b.algo) || a.seed - b.seed)
    const points = members.flatMap((run) => run.evaluations)
    const xs = [0, ...members.map((run) => Math.max(run.steps, run.lastStep))]
    const ys = points.map(([, y]) => y)
    const [xLow, xHigh] = niceDomain(Math.min(...xs), Math.max(...xs))
    const [yLow, yHigh] = ys.length === 0 ? [0, 1] : niceDomain(Math.min(...ys), Math.max(...ys))
    const axes = plotAxes(
      { margin, plotW, plotH, height: panelH },
      [xLow, xHigh],
      [yLow, yHigh],
      { xLabel: 'environment step', yLabel: 'greedy evaluation (mean return)' },
      num,
    )
    const lines = members.map((run) => {
      const coords = run.evaluations.map(([x, y]) => `${num(axes.sx(x))},${num(axes.sy(y))}`).join(' ')
      const label = `${algoName(run.algo)} seed ${run.seed}${run.finished ? '' : ` (unfinished, at step ${groupedInt(run.lastStep)})`}`
      const last = run.evaluations.at(-1)
      return [
        `<polyline class="run" data-algo="${escapeXml(run.algo)}" data-seed="${run.seed}" fill="none" ` +
          `stroke="${colorOf(run.algo)}" stroke-width="1.5"${run.finished ? '' : ' stroke-dasharray="5 3"'} ` +
          `points="${coords}"><title>${escapeXml(label)}</title></polyline>`,
        ...(last === undefined
          ? []
          : [
              `<text x="${num(axes.sx(last[0]) + 4)}" y="${num(axes.sy(last[1]) + 4)}" fill="${colorOf(run.algo)}" ` +
                `font-size="10">s${run.seed}</text>`,
            ]),
      ].join('\n')
    })
    return [
      `<g class="panel" data-env="${escapeXml(env)}" transform="translate(${p * panelW} ${top})">`,
      `<text x="${margin.left + plotW / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(env)}</text>`,
      ...axes.elements,
      ...lines,
      '</g>',
    ]
  })

  let legendX = 70
  const legend: string[] = []
  const legendY = 46
  for (const algo of algos) {
    const n = runs.filter((run) => run.algo === algo).length
    const text = `${algoName(algo)} (${n} run${n === 1 ? '' : 's'})`
    legend.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="${colorOf(algo)}" stroke-width="2"/>`,
      `<text x="${legendX + 30}" y="${legendY + 4}">${escapeXml(text)}</text>`,
    )
    legendX += 30 + 7 * text.length + 20
  }
  if (runs.some((run) => !run.finished)) {
    legend.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="#555" stroke-width="1.5" stroke-dasharray="5 3"/>`,
      `<text x="${legendX + 30}" y="${legendY + 4}">unfinished run</text>`,
    )
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    ...legend,
    ...panels.flat(),
    '</svg>',
    '',
  ].join('\n')
}

const round2 = (x: number): number => Math.round(x * 100) / 100

/** A copy with `undefined` object values as `null`, so that the JSON says what is missing. */
const withNulls = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v === undefined ? null : v)))

/**
 * `mujoco.json`: the meta (machine, date, commit), the summary, the published references, and every run's settings,
 * returns and evaluations as `[step, return]` pairs to 0.01. Missing values are `null`.
 *
 * @example
 * ```ts
 * writeFileSync('mujoco.json', formatJson(mujocoJson(runs, mujocoSummary(runs), meta)))
 * ```
 */
export const mujocoJson = (runs: readonly TrainerRun[], summary: MujocoSummary, meta: MujocoMeta) => ({
  meta,
  summary: withNulls(summary),
  references: MUJOCO_REFERENCE,
  runs: runs.map((run) => ({
    env: run.env,
    algo: run.algo,
    seed: run.seed,
    steps: run.steps,
    warmupSteps: run.warmupSteps,
    evalEvery: run.evalEvery ?? null,
    evalEpisodes: run.evalEpisodes ?? null,
    preset: run.preset ?? null,
    backend: run.backend,
    lastStep: run.lastStep,
    finished: run.finished,
    commit: run.commit ?? meta.commit,
    evaluations: run.evaluations.map(([step, value]) => [step, round2(value)]),
    returns: run.returns.map(([step, value]) => [step, round2(value)]),
  })),
})
