/**
 * One benchmark run: the reference trainer (`apps/trainer`) as a child process in the run's own folder, and the
 * `result.json` the benchmark writes once it exited with 0. A folder without a valid `result.json` is unfinished
 * (an interrupted or failed run) and is started again from scratch.
 *
 * Layout of a run folder `<runsDir>/<algo>-seed<seed>/`: `trainer/` (the trainer's run folder: metrics.jsonl,
 * config.json, returns.svg, the actor; its `final/` state, 40–50 MB of it the whole replay, is removed once the run
 * is finished), `trainer.log` (its stdout and stderr) and `result.json`.
 *
 * @module runs
 */
import { execFileSync, spawn } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { BenchmarkConfig } from './config.js'
import type { Algo } from './reference.js'

const PointCodec = t.tuple([t.number, t.number])

/** The machine a run ran on. */
const MachineCodec = t.type({ cpu: t.string, cores: t.number })

/**
 * The machine: CPU model and logical core count.
 *
 * @example
 * ```ts
 * const machine: Machine = { cpu: 'AMD EPYC 9B14', cores: 2 }
 * ```
 */
export type Machine = t.TypeOf<typeof MachineCodec>

/**
 * What `result.json` holds: the run's settings, its episodic returns and evaluations as `[step, return]` pairs,
 * the timing, and where it ran (machine, backend, commit). Read back with this codec, so a damaged file counts as
 * unfinished.
 *
 * @example
 * ```ts
 * const valid = RunResultCodec.is(JSON.parse(readFileSync('runs/benchmark/td3-seed1/result.json', 'utf8')))
 * ```
 */
export const RunResultCodec = t.intersection([
  t.type({
    algo: t.keyof({ ddpg: null, td3: null, d4pg: null }),
    seed: t.number,
    /** The trainer's flags that decide the result (not the folder names). */
    settings: t.readonlyArray(t.string),
    /** The backend the trainer reported (`native`, `wasm`, …). */
    backend: t.string,
    /** `[step, episodic return]` of every training episode, in order. */
    returns: t.readonlyArray(PointCodec),
    /** `[step, mean return]` of every evaluation. */
    evaluations: t.readonlyArray(PointCodec),
    /** The trainer process from start to exit, start-up included. */
    wallClockSeconds: t.number,
    /** Environment steps per second of the training itself, as the trainer reported it. */
    stepsPerSecond: t.number,
    machine: MachineCodec,
    /** `git rev-parse --short HEAD` when the run started, with `+dirty` for a changed tree. */
    commit: t.string,
    /** ISO time the run finished. */
    finishedAt: t.string,
  }),
  t.partial({
    /** The trainer's full backend line (`backend: native (…)`). */
    backendInfo: t.string,
    /** How many trainer processes ran at once (`--jobs`): they share the cores, so it bears on the timing. */
    jobs: t.number,
  }),
])

/**
 * A finished run, as in its `result.json`.
 *
 * @example
 * ```ts
 * const finalReturn = (run: RunResult) => run.returns.at(-1)?.[1]
 * ```
 */
export type RunResult = t.TypeOf<typeof RunResultCodec>

/**
 * A planned run: algorithm, seed, folder, and the trainer flags that decide its result.
 *
 * @example
 * ```ts
 * const spec: RunSpec = runSpec(decodeBenchmarkConfig({}), 'td3', 1, '/tmp/runs')
 * ```
 */
export interface RunSpec {
  readonly algo: Algo
  readonly seed: number
  readonly dir: string
  readonly settings: readonly string[]
}

/**
 * The trainer flags of a run: the cleanrl preset with the algorithm, the seed, the steps and warm-up, and the
 * benchmark's overrides (`--hidden-sizes`, `--eval-episodes` where given, no checkpoints, `--backend`).
 *
 * @example
 * ```ts
 * trainerSettings(decodeBenchmarkConfig({}), 'td3', 2).join(' ')
 * // '--preset cleanrl --algo td3 --seed 2 --steps 20000 --warmup-steps 1000 --checkpoint-every 0 --backend auto'
 * ```
 */
export const trainerSettings = (config: BenchmarkConfig, algo: Algo, seed: number): string[] => [
  '--preset',
  'cleanrl',
  '--algo',
  algo,
  '--seed',
  String(seed),
  '--steps',
  String(config.steps),
  '--warmup-steps',
  String(config.warmupSteps),
  ...(config.hiddenSizes === undefined ? [] : ['--hidden-sizes', JSON.stringify(config.hiddenSizes)]),
  ...(config.evalEpisodes === undefined ? [] : ['--eval-episodes', String(config.evalEpisodes)]),
  // a run that stops is started again from scratch, so checkpoints (each with the whole 1M-row replay) are no use
  '--checkpoint-every',
  '0',
  '--backend',
  config.backend,
]

/**
 * The run of an algorithm and a seed, in `<runsDir>/<algo>-seed<seed>`.
 *
 * @example
 * ```ts
 * runSpec(decodeBenchmarkConfig({}), 'ddpg', 3, '/tmp/runs').dir // '/tmp/runs/ddpg-seed3'
 * ```
 */
export const runSpec = (config: BenchmarkConfig, algo: Algo, seed: number, runsDir: string): RunSpec => ({
  algo,
  seed,
  dir: path.join(runsDir, `${algo}-seed${seed}`),
  settings: trainerSettings(config, algo, seed),
})

/**
 * The files of a run folder.
 *
 * @example
 * ```ts
 * runFiles('/tmp/runs/td3-seed1').result // '/tmp/runs/td3-seed1/result.json'
 * ```
 */
export const runFiles = (dir: string) => ({
  result: path.join(dir, 'result.json'),
  log: path.join(dir, 'trainer.log'),
  trainer: path.join(dir, 'trainer'),
  metrics: path.join(dir, 'trainer', 'metrics.jsonl'),
  final: path.join(dir, 'trainer', 'final'),
})

/**
 * What a run folder holds: nothing yet, a finished run (a valid `result.json`), or something unfinished (a folder
 * without `result.json`, or with one that does not read back).
 *
 * @example
 * ```ts
 * const state: RunState = readRunState('/tmp/runs/td3-seed1')
 * if (state.kind === 'finished') console.log(state.result.stepsPerSecond)
 * ```
 */
export type RunState =
  | { readonly kind: 'none' }
  | { readonly kind: 'unfinished'; readonly reason: string }
  | { readonly kind: 'finished'; readonly result: RunResult }

/**
 * Reads a run folder's state (see {@link RunState}).
 *
 * @example
 * ```ts
 * readRunState('/nowhere').kind // 'none'
 * ```
 */
export const readRunState = (dir: string): RunState => {
  if (!existsSync(dir)) return { kind: 'none' }
  const file = runFiles(dir).result
  if (!existsSync(file)) return { kind: 'unfinished', reason: 'no result.json' }
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return { kind: 'unfinished', reason: 'result.json is not JSON' }
  }
  const decoded = RunResultCodec.decode(json)
  return E.isRight(decoded)
    ? { kind: 'finished', result: decoded.right }
    : { kind: 'unfinished', reason: 'result.json does not hold a run result' }
}

/**
 * The episodic returns, evaluations and backend of a trainer's `metrics.jsonl` (CleanRL's keys:
 * `charts/episodic_return`, `eval/mean_return`; the `start` event's `backend`). Lines that are not JSON are skipped.
 *
 * @example
 * ```ts
 * const { returns } = parseMetrics('{"step":200,"charts/episodic_return":-1200}\n')
 * returns // [[200, -1200]]
 * ```
 */
export const parseMetrics = (
  text: string,
): { returns: Array<[number, number]>; evaluations: Array<[number, number]>; backend: string | undefined } => {
  const returns: Array<[number, number]> = []
  const evaluations: Array<[number, number]> = []
  let backend: string | undefined
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    let record: Record<string, unknown>
    try {
      record = JSON.parse(line) as Record<string, unknown>
    } catch {
      continue
    }
    const step = record.step
    if (typeof step !== 'number') continue
    const episodic = record['charts/episodic_return']
    if (typeof episodic === 'number') returns.push([step, episodic])
    const evaluation = record['eval/mean_return']
    if (typeof evaluation === 'number') evaluations.push([step, evaluation])
    if (record.event === 'start' && typeof record.backend === 'string') backend = record.backend
  }
  return { returns, evaluations, backend }
}

/**
 * The training rate of the trainer's closing line `done: 20000 steps in 4:57 (67 steps/s). …`.
 *
 * @example
 * ```ts
 * doneRate('done: 1500 steps in 0:04 (403 steps/s). Run folder x:') // 403
 * doneRate('step 100/200') // undefined
 * ```
 */
export const doneRate = (line: string): number | undefined => {
  const match = /^done: \d+ steps in [\d:]+ \((\d+(?:\.\d+)?) steps\/s\)/.exec(line)
  return match === null ? undefined : Number(match[1])
}

/**
 * This machine: the CPU model (`os.cpus()`, which reads /proc/cpuinfo on Linux) and the logical core count.
 *
 * @example
 * ```ts
 * thisMachine().cores // e.g. 2
 * ```
 */
export const thisMachine = (): Machine => {
  const cpus = os.cpus()
  return { cpu: cpus[0]?.model.trim() ?? 'unknown CPU', cores: cpus.length }
}

/**
 * The checkout's commit, `git rev-parse --short HEAD`, with `+dirty` when tracked files differ from it; `unknown`
 * outside a git checkout.
 *
 * @example
 * ```ts
 * gitCommit() // e.g. '998fe1b+dirty'
 * ```
 */
export const gitCommit = (cwd: string = path.dirname(fileURLToPath(import.meta.url))): string => {
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const commit = git(['rev-parse', '--short', 'HEAD'])
    return git(['status', '--porcelain', '--untracked-files=no']) === '' ? commit : `${commit}+dirty`
  } catch {
    return 'unknown'
  }
}

const require = createRequire(import.meta.url)

/**
 * The trainer's entry point (`apps/trainer/src/bin.ts`), found through the workspace package.
 *
 * @example
 * ```ts
 * trainerEntry().endsWith('bin.ts') // true
 * ```
 */
export const trainerEntry = (): string => path.join(path.dirname(require.resolve('@polyak/trainer/flags')), 'bin.ts')

/** How {@link runTrainer} reports and can be stopped. */
export interface RunTrainerOptions {
  /** Each line of the trainer's stdout, as it comes (all of it also goes to `trainer.log`). */
  readonly onLine?: (line: string) => void
  /** Aborting it stops the trainer (SIGTERM). */
  readonly signal?: AbortSignal
  /** The time now in milliseconds (for the wall clock); default `performance.now`. */
  readonly clock?: () => number
}

/**
 * How a trainer process ended: its exit code (`null` when a signal ended it), the wall clock, and the rate of its
 * `done:` line.
 *
 * @example
 * ```ts
 * const exit: TrainerExit = await runTrainer(spec)
 * if (exit.code === 0) console.log(exit.seconds)
 * ```
 */
export interface TrainerExit {
  readonly code: number | null
  readonly seconds: number
  readonly stepsPerSecond: number | undefined
  readonly backendInfo: string | undefined
}

/**
 * Runs the trainer for a run into `<dir>/trainer`, its output into `<dir>/trainer.log`, and resolves when it exits.
 * The folder `dir` must exist and must not hold `trainer/` yet.
 *
 * @example
 * ```ts
 * const exit = await runTrainer(spec, { onLine: (line) => console.log(line) })
 * ```
 */
export const runTrainer = (spec: RunSpec, options: RunTrainerOptions = {}): Promise<TrainerExit> => {
  const files = runFiles(spec.dir)
  const clock = options.clock ?? (() => performance.now())
  const args = [
    '--conditions=@polyak/source',
    '--import',
    pathToFileURL(require.resolve('tsx')).href,
    trainerEntry(),
    ...spec.settings,
    '--out-dir',
    spec.dir,
    '--run-name',
    path.basename(files.trainer),
    '--log-every',
    '10s',
  ]
  // the trainer reads INIT_CWD for relative paths (all of these are absolute) and npm_lifecycle_event for its hints
  const { INIT_CWD: _cwd, npm_lifecycle_event: _event, ...env } = process.env
  return new Promise((resolve, reject) => {
    const started = clock()
    const log = createWriteStream(files.log)
    const child = spawn(process.execPath, args, { cwd: spec.dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stepsPerSecond: number | undefined
    let backendInfo: string | undefined
    let pending = ''
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk)
      const lines = (pending + chunk.toString('utf8')).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        stepsPerSecond ??= doneRate(line)
        if (backendInfo === undefined && line.startsWith('backend: ')) backendInfo = line
        options.onLine?.(line)
      }
    })
    child.stderr.on('data', (chunk: Buffer) => log.write(chunk))
    const onAbort = () => child.kill('SIGTERM')
    options.signal?.addEventListener('abort', onAbort, { once: true })
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort)
      log.end()
      reject(error)
    })
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort)
      const seconds = (clock() - started) / 1000
      log.end(() => resolve({ code, seconds, stepsPerSecond, backendInfo }))
    })
  })
}

/**
 * Writes `result.json` through a temporary sibling and a rename, so a folder never holds half of one.
 *
 * @example
 * ```ts
 * writeResult('/tmp/runs/td3-seed1', result)
 * ```
 */
export const writeResult = (dir: string, result: RunResult): void => {
  const file = runFiles(dir).result
  const temp = `${file}.tmp-${process.pid}`
  writeFileSync(temp, `${JSON.stringify(result)}\n`)
  renameSync(temp, file)
}
