/**
 * The benchmark's results from the finished runs: `pendulum.json` (every run's returns, evaluations, timing,
 * machine, backend and commit), `pendulum.md` (per algorithm: steps to −200, the final return with its 95 % CI,
 * wall clock and steps/s; then CleanRL's figures) and `pendulum.svg` (mean learning curves with min–max bands).
 *
 * @module report
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { bandChart, type Marker } from './chart.js'
import type { BenchmarkConfig } from './config.js'
import { type Algo, CLEANRL, CLEANRL_LOOP_PYTORCH, POLYAK_BEFORE, type ReferenceSource } from './reference.js'
import type { Machine, RunResult } from './runs.js'
import {
  band,
  lastMean,
  type MeanInterval,
  mean,
  meanWithCI,
  median,
  range,
  stepsToThreshold,
  trailingMean,
} from './stats.js'

/** The return a run must beat, as the mean of its last {@link WINDOW} training episodes. */
export const THRESHOLD = -200

/** Training episodes in the moving mean of "steps to −200", of the final return and of the plotted curves. */
export const WINDOW = 10

/**
 * What the report says about where and how it was made (the runs carry their own machine and commit too).
 *
 * @example
 * ```ts
 * const context: ReportContext = { config, command: 'npm run benchmark --', date: '2026-12-05', commit: 'abc1234', machine: thisMachine() }
 * ```
 */
export interface ReportContext {
  readonly config: BenchmarkConfig
  /** How the benchmark was started, for the md (`npm run benchmark -- --quick`). */
  readonly command: string
  /** ISO date of the report. */
  readonly date: string
  readonly commit: string
  readonly machine: Machine
}

/**
 * One run's figures: steps to −200 (`undefined`: never), the mean of its last 10 training episodes, the last
 * evaluation, and its timing.
 *
 * @example
 * ```ts
 * const figures: RunFigures = runFigures(result)
 * figures.stepsToThreshold // e.g. 7800
 * ```
 */
export interface RunFigures {
  readonly algo: Algo
  readonly seed: number
  readonly stepsToThreshold: number | undefined
  readonly final10: number | undefined
  readonly finalEvaluation: number | undefined
  readonly wallClockSeconds: number
  readonly stepsPerSecond: number
}

/**
 * The figures of a run (see {@link RunFigures}).
 *
 * @example
 * ```ts
 * runFigures(result).final10 // the mean of the last 10 training returns
 * ```
 */
export const runFigures = (run: RunResult): RunFigures => ({
  algo: run.algo,
  seed: run.seed,
  stepsToThreshold: stepsToThreshold(run.returns, THRESHOLD, WINDOW),
  final10: lastMean(run.returns, WINDOW),
  finalEvaluation: run.evaluations.at(-1)?.[1],
  wallClockSeconds: run.wallClockSeconds,
  stepsPerSecond: run.stepsPerSecond,
})

/**
 * An algorithm over its seeds: steps to −200 (median, with never-reaching seeds counted as later than any step, so
 * the median is `undefined` when half or more never reach it; range over the seeds that did), the final return's
 * mean and 95 % CI, and the mean timing.
 *
 * @example
 * ```ts
 * const summary: AlgoSummary = summarizeAlgo('td3', results)
 * summary.never // seeds that never reached −200
 * ```
 */
export interface AlgoSummary {
  readonly algo: Algo
  readonly seeds: readonly number[]
  readonly stepsMedian: number | undefined
  readonly stepsRange: { readonly min: number; readonly max: number } | undefined
  readonly never: number
  readonly final10: MeanInterval | undefined
  readonly finalEvaluation: number | undefined
  readonly wallClockSeconds: number
  readonly stepsPerSecond: number
}

/**
 * Summarizes the runs of one algorithm (see {@link AlgoSummary}).
 *
 * @example
 * ```ts
 * summarizeAlgo('td3', results.filter((run) => run.algo === 'td3')).stepsMedian
 * ```
 */
export const summarizeAlgo = (algo: Algo, runs: readonly RunResult[]): AlgoSummary => {
  const figures = runs.filter((run) => run.algo === algo).map(runFigures)
  const reached = figures.flatMap((f) => (f.stepsToThreshold === undefined ? [] : [f.stepsToThreshold]))
  const censored = figures.map((f) => f.stepsToThreshold ?? Number.POSITIVE_INFINITY)
  const stepsMedian = median(censored)
  const finals = figures.flatMap((f) => (f.final10 === undefined ? [] : [f.final10]))
  const evaluations = figures.flatMap((f) => (f.finalEvaluation === undefined ? [] : [f.finalEvaluation]))
  return {
    algo,
    seeds: figures.map((f) => f.seed),
    stepsMedian: Number.isFinite(stepsMedian) ? stepsMedian : undefined,
    stepsRange: range(reached),
    never: figures.length - reached.length,
    final10: finals.length > 0 ? meanWithCI(finals) : undefined,
    finalEvaluation: evaluations.length > 0 ? mean(evaluations) : undefined,
    wallClockSeconds: mean(figures.map((f) => f.wallClockSeconds)),
    stepsPerSecond: mean(figures.map((f) => f.stepsPerSecond)),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// formatting

const MINUS = '−'

/** A number with `digits` decimals and a typographic minus. */
const fixed = (x: number, digits = 1): string => {
  const text = Math.abs(x).toFixed(digits)
  return x < 0 && Number(text) !== 0 ? `${MINUS}${text}` : text
}

/**
 * An integer with its thousands grouped by spaces and a typographic minus, as the docs write them.
 *
 * @example
 * ```ts
 * groupedInt(20000) // '20 000'
 * groupedInt(-1234) // '−1 234'
 * ```
 */
export const groupedInt = (x: number): string => {
  const digits = String(Math.round(Math.abs(x))).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')
  return Math.round(x) < 0 ? `${MINUS}${digits}` : digits
}

/**
 * Seconds as `m:ss` (or `h:mm:ss`).
 *
 * @example
 * ```ts
 * clock(297) // '4:57'
 * clock(3725) // '1:02:05'
 * ```
 */
export const clock = (seconds: number): string => {
  const s = Math.round(seconds)
  const hours = Math.floor(s / 3600)
  const minutes = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`
}

/** A Markdown table with its columns padded to one width, as the repository's docs lay them out. */
const table = (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] => {
  const widths = header.map((cell, i) => Math.max(cell.length, 3, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
}

const NAMES: Record<Algo, string> = { ddpg: 'DDPG', td3: 'TD3', d4pg: 'D4PG' }

const distinct = (xs: readonly string[]): string[] => [...new Set(xs)]

/** The trainer command of a run, with `<s>` for the seed. */
const trainerCommand = (config: BenchmarkConfig, algo = '<algo>'): string =>
  [
    'npm start -- --preset cleanrl',
    `--algo ${algo} --seed <s> --steps ${config.steps} --warmup-steps ${config.warmupSteps}`,
    ...(config.hiddenSizes === undefined ? [] : [`--hidden-sizes '${JSON.stringify(config.hiddenSizes)}'`]),
    ...(config.evalEpisodes === undefined ? [] : [`--eval-episodes ${config.evalEpisodes}`]),
    '--checkpoint-every 0',
    ...(config.backend === 'auto' ? [] : [`--backend ${config.backend}`]),
  ].join(' ')

const machineText = (m: Machine): string => `${m.cpu}, ${m.cores} core${m.cores === 1 ? '' : 's'}`

/** The table rows of a reference source, one per algorithm it has. */
const referenceRows = (source: ReferenceSource): string[][] =>
  (['ddpg', 'td3', 'd4pg'] as const).flatMap((algo) => {
    const runs = source.runs.filter((run) => run.algo === algo)
    if (runs.length === 0) return []
    return [
      [
        NAMES[algo],
        source.name,
        runs.map((run) => run.seed).join(' / '),
        runs.map((run) => groupedInt(run.stepsToThreshold)).join(' / ') +
          (runs.length >= 3 ? ` (median ${groupedInt(median(runs.map((run) => run.stepsToThreshold)))})` : ''),
        runs.map((run) => (run.final10 === undefined ? '—' : fixed(run.final10, 0))).join(' / '),
      ],
    ]
  })

/**
 * `pendulum.md`: the settings, the machine, date and commit; per algorithm steps to −200 (median, range, seeds that
 * never reached it), the final 10-episode return (mean ± 95 % CI over seeds, Student t), the final evaluation, wall
 * clock and steps/s; every run; and CleanRL's reference figures with their provenance.
 *
 * @example
 * ```ts
 * writeFileSync('pendulum.md', reportMarkdown(results, context))
 * ```
 */
export const reportMarkdown = (runs: readonly RunResult[], context: ReportContext): string => {
  const { config } = context
  const summaries = config.algos.map((algo) => summarizeAlgo(algo, runs))
  const machines = distinct(runs.map((run) => machineText(run.machine)))
  const commits = distinct(runs.map((run) => run.commit))
  const backends = distinct(runs.map((run) => run.backendInfo?.replace(/^backend: /, '') ?? run.backend))
  const jobs = distinct(runs.map((run) => String(run.jobs ?? 1)))
  const finished = runs.map((run) => run.finishedAt.slice(0, 10)).sort()
  const dates =
    finished.length === 0 || finished[0] === finished.at(-1)
      ? (finished[0] ?? context.date)
      : `${finished[0]} to ${finished.at(-1)}`
  const seeds = config.seeds.join(', ')

  const summaryRows = summaries.map((s) => {
    const steps =
      s.stepsMedian === undefined
        ? 'not reached'
        : `${groupedInt(s.stepsMedian)} (${s.stepsRange === undefined ? '—' : `${groupedInt(s.stepsRange.min)}–${groupedInt(s.stepsRange.max)}`})`
    const final =
      s.final10 === undefined
        ? '—'
        : s.final10.halfWidth === undefined
          ? `${fixed(s.final10.mean)} (1 seed: no CI)`
          : `${fixed(s.final10.mean)} ± ${fixed(s.final10.halfWidth)}`
    return [
      NAMES[s.algo],
      String(s.seeds.length),
      steps,
      `${s.never} of ${s.seeds.length}`,
      final,
      s.finalEvaluation === undefined ? '—' : fixed(s.finalEvaluation),
      clock(s.wallClockSeconds),
      s.stepsPerSecond.toFixed(0),
    ]
  })
  const runRows = config.algos.flatMap((algo) =>
    runs
      .filter((run) => run.algo === algo)
      .map(runFigures)
      .map((f) => [
        NAMES[f.algo],
        String(f.seed),
        f.stepsToThreshold === undefined ? 'not reached' : groupedInt(f.stepsToThreshold),
        f.final10 === undefined ? '—' : fixed(f.final10),
        f.finalEvaluation === undefined ? '—' : fixed(f.finalEvaluation),
        clock(f.wallClockSeconds),
        f.stepsPerSecond.toFixed(0),
      ]),
  )

  return [
    `# Pendulum-v1: ${config.algos.map((algo) => NAMES[algo]).join(', ')} over ${config.seeds.length} seed${config.seeds.length === 1 ? '' : 's'}${config.quick ? ' (quick)' : ''}`,
    '',
    `\`${context.command}\` ran the reference trainer once per algorithm and seed (seeds ${seeds}):`,
    '',
    `    ${trainerCommand(config)}`,
    '',
    `CleanRL's settings (the \`cleanrl\` preset: 256-256 networks, batch 256, Adam 3e-4, Gaussian exploration σ 0.1 of ` +
      `the action range, 1M replay, τ 0.005, γ 0.99; TD3's policy delay 2 and target smoothing 0.2 clipped at 0.5)` +
      `${config.hiddenSizes === undefined ? '' : `, with ${JSON.stringify(config.hiddenSizes)} networks instead`}` +
      `${config.evalEpisodes === undefined ? '' : `, ${config.evalEpisodes} evaluation episodes`}, ` +
      `${groupedInt(config.steps)} steps of which ${groupedInt(config.warmupSteps)} uniformly random warm-up steps. ` +
      'D4PG with no agent flag is its paper default: 5-step returns, prioritized replay, 51 atoms on a support fitted ' +
      "to the env's reward bounds, Adam 1e-4. No checkpoints: a stopped run starts again from scratch (taking " +
      'them changes nothing that is learned).',
    '',
    `Machine: ${machines.join('; ')}; ${jobs.join(' or ')} run${jobs.length === 1 && jobs[0] === '1' ? '' : 's'} at a time. ` +
      `Backend: ${backends.join('; ')}. Runs finished ${dates}; report ${context.date}. ` +
      `Commit: ${commits.join(', ')}${commits.length > 1 ? ' (the runs span several)' : ''}.`,
    '',
    '## Results',
    '',
    ...table(
      [
        'algorithm',
        'seeds',
        'steps to −200: median (range)',
        'never reached −200',
        'last 10 episodes: mean ± 95 % CI',
        'final evaluation (mean)',
        'wall clock (mean)',
        'steps/s (mean)',
      ],
      summaryRows,
    ),
    '',
    `"Steps to −200": the first episode end at which the mean of the last ${WINDOW} training-episode returns is above ` +
      `−200 (a full window of ${WINDOW} episodes), in environment steps taken. The median counts a seed that never ` +
      'got there as later than any step ("not reached" when half of the seeds or more never did); the range is over ' +
      `the seeds that did. "Last 10 episodes": each seed's mean return over its last ${WINDOW} training episodes ` +
      '(with exploration noise); the mean over seeds ± the half-width of its 95 % confidence interval (Student t, ' +
      'n − 1 degrees of freedom). "Final evaluation": the greedy policy at the last step, averaged over seeds. Wall ' +
      "clock: the trainer process from start to exit (start-up and evaluations included); steps/s: the trainer's own " +
      'figure for its training loop.',
    '',
    '## Every run',
    '',
    ...table(
      ['algorithm', 'seed', 'steps to −200', 'last 10 episodes', 'final evaluation', 'wall clock', 'steps/s'],
      runRows,
    ),
    '',
    '## Reference',
    '',
    ...table(
      ['algorithm', 'source', 'seeds', 'steps to −200', 'last 10 episodes'],
      [...referenceRows(CLEANRL), ...referenceRows(CLEANRL_LOOP_PYTORCH), ...referenceRows(POLYAK_BEFORE)],
    ),
    '',
    `- ${CLEANRL.name}: ${CLEANRL.provenance}. CleanRL counts \`global_step\` from 0, so its 7 799 is the episode end ` +
      "the trainer calls step 7 800. CleanRL's DDPG script updates its actor and target networks every second step " +
      "(`policy_frequency` 2, like TD3's policy delay); polyak's DDPG updates them every step. CleanRL has no D4PG.",
    `- ${CLEANRL_LOOP_PYTORCH.name}: ${CLEANRL_LOOP_PYTORCH.provenance}.`,
    `- ${POLYAK_BEFORE.name}: ${POLYAK_BEFORE.provenance}.`,
    '',
    `Curves: [pendulum.svg](pendulum.svg) (the mean over seeds of each seed's ${WINDOW}-episode moving mean, shaded ` +
      "from the lowest to the highest seed, CleanRL's steps to −200 as diamonds). Every run's returns and " +
      'evaluations as `[step, return]` pairs: [pendulum.json](pendulum.json).',
    '',
  ].join('\n')
}

const round2 = (x: number): number => Math.round(x * 100) / 100

/**
 * `pendulum.json`: the settings, the machine, date and commit of the report, the per-algorithm summary, and every
 * run (returns and evaluations as `[step, return]` pairs to 0.01, wall clock, steps/s, machine, backend, commit, figures).
 *
 * @example
 * ```ts
 * writeFileSync('pendulum.json', formatJson(reportJson(results, context)))
 * ```
 */
export const reportJson = (runs: readonly RunResult[], context: ReportContext) => ({
  env: 'Pendulum-v1',
  date: context.date,
  commit: context.commit,
  machine: context.machine,
  command: context.command,
  settings: {
    trainer: trainerCommand(context.config),
    algos: context.config.algos,
    seeds: context.config.seeds,
    steps: context.config.steps,
    warmupSteps: context.config.warmupSteps,
    quick: context.config.quick,
    threshold: THRESHOLD,
    window: WINDOW,
  },
  summary: Object.fromEntries(
    context.config.algos.map((algo) => {
      const s = summarizeAlgo(algo, runs)
      return [
        algo,
        {
          seeds: s.seeds,
          stepsToThreshold: { median: s.stepsMedian ?? null, range: s.stepsRange ?? null, neverReached: s.never },
          final10:
            s.final10 === undefined
              ? null
              : { mean: s.final10.mean, ci95: s.final10.halfWidth ?? null, n: s.final10.n },
          finalEvaluation: s.finalEvaluation ?? null,
          wallClockSeconds: s.wallClockSeconds,
          stepsPerSecond: s.stepsPerSecond,
        },
      ]
    }),
  ),
  runs: runs.map((run) => {
    const { stepsToThreshold: steps, final10, finalEvaluation } = runFigures(run)
    return {
      algo: run.algo,
      seed: run.seed,
      stepsToThreshold: steps ?? null,
      final10: final10 ?? null,
      finalEvaluation: finalEvaluation ?? null,
      wallClockSeconds: run.wallClockSeconds,
      stepsPerSecond: run.stepsPerSecond,
      backend: run.backend,
      ...(run.backendInfo === undefined ? {} : { backendInfo: run.backendInfo }),
      machine: run.machine,
      commit: run.commit,
      finishedAt: run.finishedAt,
      jobs: run.jobs ?? 1,
      settings: run.settings,
      returns: run.returns.map(([step, value]) => [step, round2(value)]),
      evaluations: run.evaluations.map(([step, value]) => [step, round2(value)]),
    }
  }),
  reference: { cleanrl: CLEANRL, cleanrlLoopPytorch: CLEANRL_LOOP_PYTORCH, polyakBefore: POLYAK_BEFORE },
})

/**
 * `pendulum.svg`: per algorithm the mean over seeds of the seeds' 10-episode moving means (each seed's curve on the
 * common step grid), shaded from the lowest to the highest seed; the −200 line; CleanRL's steps to −200 as
 * diamonds in the colour of their algorithm (in the trainer's step count), those within the runs' steps.
 *
 * @example
 * ```ts
 * writeFileSync('pendulum.svg', reportSvg(results, context))
 * ```
 */
export const reportSvg = (runs: readonly RunResult[], context: ReportContext): string => {
  const { config } = context
  const curves = config.algos.map((algo) => {
    const seeds = runs.filter((run) => run.algo === algo)
    return {
      name: `${NAMES[algo]} (mean of ${seeds.length} seed${seeds.length === 1 ? '' : 's'})`,
      points: band(seeds.map((run) => trailingMean(run.returns, WINDOW))),
    }
  })
  const markers: Marker[] = CLEANRL.runs.flatMap((run) => {
    const curve = config.algos.indexOf(run.algo)
    const x = run.stepsToThreshold + (CLEANRL.zeroBasedSteps ? 1 : 0)
    // a reference point past the runs' last step says nothing about them (and would squash the curves)
    return curve < 0 || x > config.steps
      ? []
      : [
          {
            curve,
            x,
            y: THRESHOLD,
            label: `CleanRL ${NAMES[run.algo]} seed ${run.seed}: −200 at step ${groupedInt(x)}`,
          },
        ]
  })
  const cleanrlSeeds = distinct(CLEANRL.runs.filter((run) => config.algos.includes(run.algo)).map((r) => `${r.seed}`))
  return bandChart(curves, {
    title: `Pendulum-v1, cleanrl preset, ${groupedInt(config.steps)} steps: mean of ${WINDOW}-episode moving means over seeds`,
    xLabel: 'environment step',
    yLabel: `episodic return (mean of the last ${WINDOW} episodes)`,
    bandLabel: 'shaded: min–max over seeds',
    threshold: { y: THRESHOLD, label: '−200' },
    markers,
    markerLabel: `CleanRL: steps to −200 (seeds ${cleanrlSeeds.join(', ')})`,
  })
}

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/** Whether a value holds a non-empty object anywhere (such arrays never go on one line). */
const holdsObject = (u: unknown): boolean =>
  Array.isArray(u) ? u.some(holdsObject) : isPlainObject(u) && Object.keys(u).length > 0

/** A value on one line, arrays as `[1, 2]`. */
const inline = (u: unknown): string => (Array.isArray(u) ? `[${u.map(inline).join(', ')}]` : JSON.stringify(u))

/**
 * JSON laid out as the repository's formatter (biome, line width 120) lays it out, so committed results pass
 * `biome ci`: objects one key a line, an array on one line when it holds no object and fits, else one item a line.
 * `undefined` object values are left out, as `JSON.stringify` does.
 *
 * @example
 * ```ts
 * formatJson({ returns: [[200, -1169.8]] }) // '{\n  "returns": [[200, -1169.8]]\n}\n'
 * ```
 */
export const formatJson = (value: unknown, width = 120): string => {
  const format = (u: unknown, indent: string, prefix: string, suffix: string): string[] => {
    if (Array.isArray(u)) {
      const oneLine = `${indent}${prefix}${inline(u)}${suffix}`
      if (u.length === 0 || (!holdsObject(u) && oneLine.length <= width)) return [oneLine]
      const inner = `${indent}  `
      return [
        `${indent}${prefix}[`,
        ...u.flatMap((item, i) => format(item, inner, '', i < u.length - 1 ? ',' : '')),
        `${indent}]${suffix}`,
      ]
    }
    if (isPlainObject(u)) {
      const entries = Object.entries(u).filter(([, v]) => v !== undefined)
      if (entries.length === 0) return [`${indent}${prefix}{}${suffix}`]
      const inner = `${indent}  `
      return [
        `${indent}${prefix}{`,
        ...entries.flatMap(([key, item], i) =>
          format(item, inner, `${JSON.stringify(key)}: `, i < entries.length - 1 ? ',' : ''),
        ),
        `${indent}}${suffix}`,
      ]
    }
    return [`${indent}${prefix}${JSON.stringify(u)}${suffix}`]
  }
  return `${format(JSON.parse(JSON.stringify(value)), '', '', '').join('\n')}\n`
}

/**
 * Writes a file through a temporary sibling and a rename, so that it is never half written.
 *
 * @example
 * ```ts
 * writeAtomically('/tmp/pendulum.md', '# Pendulum-v1\n')
 * ```
 */
export const writeAtomically = (file: string, text: string): void => {
  const temp = `${file}.tmp-${process.pid}`
  writeFileSync(temp, text)
  renameSync(temp, file)
}

/**
 * Writes `pendulum.md`, `pendulum.json` and `pendulum.svg` into `outDir` (made if missing) and returns their paths.
 *
 * @example
 * ```ts
 * const files = writeReport('docs/results', results, context)
 * files.md // 'docs/results/pendulum.md'
 * ```
 */
export const writeReport = (outDir: string, runs: readonly RunResult[], context: ReportContext) => {
  mkdirSync(outDir, { recursive: true })
  const files = {
    md: path.join(outDir, 'pendulum.md'),
    json: path.join(outDir, 'pendulum.json'),
    svg: path.join(outDir, 'pendulum.svg'),
  }
  writeAtomically(files.json, formatJson(reportJson(runs, context)))
  writeAtomically(files.svg, reportSvg(runs, context))
  writeAtomically(files.md, reportMarkdown(runs, context))
  return files
}
