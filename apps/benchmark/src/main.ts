/**
 * `npm run benchmark`: flags → the planned runs (algorithm × seed) → the runs not finished before, `--jobs` trainer
 * processes at a time → the report. `main` returns the exit code instead of exiting, so tests drive it like a user.
 *
 * @module main
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { type BenchmarkConfig, decodeBenchmarkConfig, FlagError, helpText, parseBenchmarkArgs } from './config.js'
import { clock, groupedInt, runFigures, writeReport } from './report.js'
import {
  gitCommit,
  type Machine,
  parseMetrics,
  type RunResult,
  type RunSpec,
  readRunState,
  runFiles,
  runSpec,
  runTrainer,
  thisMachine,
  writeResult,
} from './runs.js'

/**
 * Options of {@link main}.
 *
 * @example
 * ```ts
 * const options: MainOptions = { cwd: '/tmp/bench', log: () => {} }
 * ```
 */
export interface MainOptions {
  /** Where relative `--runs-dir` and `--out` start; default `INIT_CWD` (npm) or the cwd. */
  readonly cwd?: string
  /** stdout lines. */
  readonly log?: (line: string) => void
  /** stderr lines. */
  readonly error?: (line: string) => void
  /** Aborting it stops the trainers that run and starts no more (exit code 130). */
  readonly signal?: AbortSignal
  /** How the user started the benchmark, for the help and the report; default `npm run benchmark --`. */
  readonly command?: string
  /** The clock of the dates in the results. */
  readonly now?: () => Date
  /** The machine written into the results; default this one. */
  readonly machine?: Machine
  /** The commit written into the results; default `git rev-parse --short HEAD` (+dirty). */
  readonly commit?: string
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** The last `n` non-empty lines of a file, for a failure message. */
const tail = (file: string, n: number): string[] => {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-n)
  } catch {
    return []
  }
}

/** The planned runs, seed by seed (so that a partial benchmark has every algorithm at the same seeds). */
const planRuns = (config: BenchmarkConfig, runsDir: string): RunSpec[] =>
  config.seeds.flatMap((seed) => config.algos.map((algo) => runSpec(config, algo, seed, runsDir)))

const sameSettings = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, i) => item === b[i])

/**
 * Runs the benchmark with command-line arguments and resolves to the exit code: 0 done (report written), 1 a run
 * failed (the others go on; no report), 2 bad flags or a run folder holding a finished run with other settings
 * (nothing started), 130 interrupted. Finished runs are kept and not redone; an unfinished run folder is removed and
 * its run started again.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['--quick', '--out', '/tmp/bench'])
 * ```
 */
export const main = async (argv: readonly string[], options: MainOptions = {}): Promise<number> => {
  const log = options.log ?? ((line: string) => console.log(line))
  const error = options.error ?? ((line: string) => console.error(line))
  const cwd = options.cwd ?? process.env.INIT_CWD ?? process.cwd()
  const command = options.command ?? 'npm run benchmark --'
  const now = options.now ?? (() => new Date())
  const show = (file: string): string => {
    const relative = path.relative(cwd, file)
    return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? file : relative
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    log(helpText(command))
    return 0
  }

  // 1. the flags
  let config: BenchmarkConfig
  try {
    config = decodeBenchmarkConfig(parseBenchmarkArgs(argv))
  } catch (flagError) {
    error(messageOf(flagError))
    if (!(flagError instanceof FlagError)) error(`(${command} --help lists every flag)`)
    return 2
  }
  const runsDir = path.resolve(cwd, config.runsDir)
  const outDir = path.resolve(cwd, config.out)
  const specs = planRuns(config, runsDir)

  // 2. what is finished already; a finished run with other settings stops everything before it starts
  const finished = new Map<RunSpec, RunResult>()
  const conflicts: string[] = []
  for (const spec of specs) {
    const state = readRunState(spec.dir)
    if (state.kind !== 'finished') continue
    if (!sameSettings(state.result.settings, spec.settings)) {
      conflicts.push(`${show(spec.dir)} holds a finished run of ${state.result.settings.join(' ')}`)
    } else finished.set(spec, state.result)
  }
  if (conflicts.length > 0) {
    for (const line of conflicts) error(line)
    error(
      `but this benchmark runs ${specs[0]?.settings.join(' ').replace(/--algo \S+ --seed \d+/, '--algo <algo> --seed <s>')}: ` +
        'use another --runs-dir, or remove those folders',
    )
    return 2
  }

  const total = specs.length
  const todo = specs.filter((spec) => !finished.has(spec))
  const first = specs[0]
  log(
    `benchmark: ${config.algos.join(', ')} × seeds ${config.seeds.join(', ')} = ${total} runs of ` +
      `${groupedInt(config.steps)} steps (${first?.settings.join(' ').replace(/--algo \S+ --seed \d+ /, '')}), ` +
      `${config.jobs} at a time`,
  )
  log(`runs in ${show(runsDir)}, results to ${show(outDir)}`)
  for (const spec of specs) {
    if (finished.has(spec)) log(`${spec.algo} seed ${spec.seed}: finished before, kept (${show(spec.dir)})`)
  }
  log(`${finished.size}/${total} runs done, ${todo.length} to run`)

  // 3. the runs
  const machine = options.machine ?? thisMachine()
  const commit = options.commit ?? gitCommit()
  const failed: string[] = []
  let interrupted = false
  mkdirSync(runsDir, { recursive: true })
  const runOne = async (spec: RunSpec): Promise<void> => {
    const name = `${spec.algo} seed ${spec.seed}`
    const state = readRunState(spec.dir)
    if (state.kind === 'unfinished') {
      log(`${name}: removing the unfinished run folder ${show(spec.dir)} (${state.reason}) to start it again`)
    }
    rmSync(spec.dir, { recursive: true, force: true })
    mkdirSync(spec.dir, { recursive: true })
    log(`[start] ${name} (${show(spec.dir)})`)
    let exit: Awaited<ReturnType<typeof runTrainer>>
    try {
      exit = await runTrainer(spec, {
        onLine: (line) => {
          if (line.startsWith('evaluation at step')) log(`  ${name}: ${line}`)
        },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
    } catch (spawnError) {
      failed.push(name)
      error(`[failed] ${name}: the trainer did not start: ${messageOf(spawnError)}`)
      return
    }
    const files = runFiles(spec.dir)
    if (exit.code !== 0) {
      if (options.signal?.aborted === true) {
        interrupted = true
        log(`[stopped] ${name} after ${clock(exit.seconds)}; it starts again from scratch next time`)
        return
      }
      failed.push(name)
      error(
        `[failed] ${name}: the trainer exited with ${exit.code === null ? 'a signal' : `code ${exit.code}`} after ` +
          `${clock(exit.seconds)}; its output is in ${show(files.log)}, ending:`,
      )
      for (const line of tail(files.log, 6)) error(`  ${line}`)
      return
    }
    const metrics = parseMetrics(existsSync(files.metrics) ? readFileSync(files.metrics, 'utf8') : '')
    const result: RunResult = {
      algo: spec.algo,
      seed: spec.seed,
      settings: spec.settings,
      backend: metrics.backend ?? 'unknown',
      ...(exit.backendInfo === undefined ? {} : { backendInfo: exit.backendInfo }),
      returns: metrics.returns,
      evaluations: metrics.evaluations,
      wallClockSeconds: exit.seconds,
      stepsPerSecond: exit.stepsPerSecond ?? config.steps / exit.seconds,
      machine,
      commit,
      finishedAt: now().toISOString(),
      jobs: config.jobs,
    }
    writeResult(spec.dir, result)
    rmSync(files.final, { recursive: true, force: true }) // the end state with the whole replay: 40–50 MB unused
    finished.set(spec, result)
    const figures = runFigures(result)
    log(
      `[done] ${name}: ${clock(result.wallClockSeconds)} wall clock, ${result.stepsPerSecond.toFixed(0)} steps/s, ` +
        `steps to −200: ${figures.stepsToThreshold === undefined ? 'not reached' : groupedInt(figures.stepsToThreshold)}` +
        `${figures.final10 === undefined ? '' : `, last 10 episodes ${figures.final10.toFixed(1)}`}`,
    )
    log(`${finished.size}/${total} runs done`)
  }
  const queue = [...todo]
  const worker = async () => {
    for (let spec = queue.shift(); spec !== undefined; spec = queue.shift()) {
      if (options.signal?.aborted === true) {
        interrupted = true
        return
      }
      await runOne(spec)
    }
  }
  await Promise.all(Array.from({ length: Math.min(config.jobs, queue.length) }, worker))

  // 4. the report, once every run is finished
  if (interrupted) {
    log(`interrupted: ${finished.size}/${total} runs done; the same command goes on from there`)
    return 130
  }
  if (failed.length > 0) {
    error(
      `${failed.length} run${failed.length === 1 ? '' : 's'} failed (${failed.join(', ')}); no report written. The ` +
        'same command runs them again and keeps the finished ones.',
    )
    return 1
  }
  const results = specs.map((spec) => finished.get(spec)).filter((r): r is RunResult => r !== undefined)
  const files = writeReport(outDir, results, {
    config,
    command: [command, ...argv].join(' '),
    date: now().toISOString().slice(0, 10),
    commit,
    machine,
  })
  log(`wrote ${show(files.md)}, ${show(files.json)} and ${show(files.svg)}`)
  return 0
}
