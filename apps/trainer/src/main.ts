/**
 * The trainer's command line: flags → validated config → run folder → {@link train}. `main` returns the exit code
 * instead of exiting, so tests drive it like a user would.
 *
 * @module main
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { formatBackendInfo, removeStaleTemporaries, setBackend } from '@polyak/core'
import { prepareEnv } from '@polyak/envs'
import { disposeExperimentSnapshot, type ExperimentSnapshot, loadExperiment } from '@polyak/pipelines'
import { parseArgs, usage } from './cli.js'
import { decodeTrainerConfig, savedConfigWithSteps, type TrainerConfig } from './config.js'
import { openMetrics, readMetrics } from './metrics.js'
import { repairMetrics } from './metricsRepair.js'
import { checkResources, envSizes, learnerThreads, type Machine } from './resources.js'
import { checkRedis, configForDisk, holdsSecret, redactSecrets } from './secrets.js'
import { DEFAULT_MAX_CRITIC_LOSS, planRun, type RunPlan, runFiles, train } from './train.js'

/** Options of {@link main}. */
export interface MainOptions {
  /** Where relative paths (`--out-dir`, `--config`, `--resume`) start; default `INIT_CWD` (npm) or the cwd. */
  readonly cwd?: string
  /** Aborting it stops the run like Ctrl-C. */
  readonly signal?: AbortSignal
  /** stdout lines. */
  readonly log?: (line: string) => void
  /** stderr lines. */
  readonly error?: (line: string) => void
  /** How the user runs the trainer, for the resume hint; default `npm start --`. */
  readonly command?: string
  /** Clock of the run folder's name (seconds since 1970 are used). */
  readonly now?: () => number
  /** The machine the run is sized for (default: this one). */
  readonly machine?: Machine
}

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Writes a file through a temporary sibling and a rename, so it is never seen half-written. */
const writeAtomically = (file: string, text: string): void => {
  const temp = `${file}.tmp-${process.pid}`
  writeFileSync(temp, text)
  renameSync(temp, file)
}

/** One line describing the run. */
export const describeRun = (config: TrainerConfig): string => {
  const evaluation =
    config.evalEpisodes === 0
      ? 'no evaluation'
      : `evaluation (${config.evalEpisodes} episodes) ${config.evalEvery > 0 ? `every ${config.evalEvery} steps and ` : ''}at the end`
  const checkpoints = config.checkpointEvery > 0 ? `checkpoint every ${config.checkpointEvery} steps` : 'no checkpoints'
  return (
    `${config.algo.toUpperCase()} on ${config.env}: ${config.steps} steps, seed ${config.seed}, ` +
    `hidden [${config.agent.hiddenSizes.join(', ')}], batch ${config.batchSize}, warm-up ${config.warmupSteps}, ` +
    `${evaluation}, ${checkpoints}`
  )
}

/** A fresh run folder `<outDir>/<runName>` or `<outDir>/<env>__<algo>__<seed>__<unix time>[_n]`. */
const makeRunDir = (config: TrainerConfig, cwd: string, now: () => number): string => {
  const outDir = path.resolve(cwd, config.outDir)
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new Error(`outDir: ${config.outDir} is a file, not a folder: pick another --out-dir`)
  }
  mkdirSync(outDir, { recursive: true })
  if (config.runName !== undefined) {
    const dir = path.join(outDir, config.runName)
    mkdirSync(dir) // throws EEXIST for a name in use
    return dir
  }
  const base = `${config.env}__${config.algo}__${config.seed}__${Math.floor(now() / 1000)}`
  for (let n = 1; ; n++) {
    const dir = path.join(outDir, n === 1 ? base : `${base}_${n}`)
    try {
      mkdirSync(dir)
      return dir
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error
    }
  }
}

/** Stops before the run folder is made: the lines to print and the exit code (2). */
class Refusal extends Error {
  readonly lines: readonly string[]
  constructor(lines: readonly string[]) {
    super(lines.join('\n'))
    this.lines = lines
  }
}

/**
 * A run checked and planned, with nothing written yet: what {@link prepareRun} resolves to.
 *
 * @example
 * ```ts
 * const prepared = await prepareRun(['--steps', '300'], { cwd })
 * if (prepared.snapshot !== undefined) disposeExperimentSnapshot(prepared.snapshot)
 * ```
 */
export interface PreparedRun {
  readonly config: TrainerConfig
  readonly plan: RunPlan
  readonly backendName: string
  readonly maxCriticLoss: number
  readonly resumeDir?: string
  readonly snapshot?: ExperimentSnapshot
  /** Lines for stderr (e.g. a checkpoint without checksums). */
  readonly warnings: readonly string[]
}

/** `--max-critic-loss` as given, checked. */
const maxCriticLossOf = (value: unknown): number => {
  if (value === undefined) return DEFAULT_MAX_CRITIC_LOSS
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new Error(`max-critic-loss: expected a finite number >= 0 (0: no bound), got ${JSON.stringify(value)}`)
  }
  return value
}

/**
 * Everything `main` does before it writes: flags and config (or the saved config of `--resume`), the backend, the
 * env, the resource bounds, the Redis connection of Redis actors, the checkpoint to resume from (verified in full)
 * and the run's plan. Writes nothing, anywhere.
 *
 * @throws Refusal (exit code 2) with the lines to print, naming the field or file
 *
 * @example
 * ```ts
 * const prepared = await prepareRun(['--steps', '300', '--backend', 'wasm'], { cwd: '/tmp' })
 * ```
 */
export const prepareRun = async (
  argv: readonly string[],
  options: Pick<MainOptions, 'cwd' | 'command' | 'machine' | 'log'> = {},
): Promise<PreparedRun> => {
  const cwd = options.cwd ?? process.env.INIT_CWD ?? process.cwd()
  const command = options.command ?? 'npm start --'
  const show = (file: string): string => {
    const relative = path.relative(cwd, file)
    return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? file : relative
  }
  const warnings: string[] = []

  // 1. the config: flags (and --config), or a saved run's config.json with --resume
  let config: TrainerConfig
  let resumeDir: string | undefined
  let maxCriticLoss: number
  try {
    const { resume, maxCriticLoss: bound, ...flags } = parseArgs(argv, { cwd })
    maxCriticLoss = maxCriticLossOf(bound)
    if (resume !== undefined) {
      if (typeof resume !== 'string' || resume === '') throw new Error('--resume needs the path of a run folder')
      resumeDir = path.resolve(cwd, resume)
      const others = Object.keys(flags).filter((key) => key !== 'steps')
      if (others.length > 0) {
        throw new Error(
          `--resume continues a run with the config.json it saved; only --steps (and --max-critic-loss) may be given ` +
            `with it, got ${others.map((key) => `--${kebab(key)}`).join(', ')}`,
        )
      }
      const file = runFiles(resumeDir).config
      if (!existsSync(file)) throw new Error(`Cannot resume ${resume}: there is no ${file} (is it a run folder?)`)
      let saved: unknown
      try {
        saved = JSON.parse(readFileSync(file, 'utf8'))
      } catch (readError) {
        throw new Error(`Cannot resume ${resume}: ${file} is not readable JSON (${messageOf(readError)})`)
      }
      try {
        config = savedConfigWithSteps(saved, flags.steps)
      } catch (savedError) {
        throw new Error(`Cannot resume ${resume}: ${file}: ${messageOf(savedError)}`)
      }
    } else {
      config = decodeTrainerConfig(flags)
    }
  } catch (configError) {
    throw new Refusal([messageOf(configError), `(${command} --help lists every flag)`])
  }

  // 2. the backend and the env, then the resource bounds
  let backendName: string
  try {
    // the learner's products share the cores with local actors: together no more threads than cores
    const threads = learnerThreads(config.actors)
    const backend = await setBackend(config.backend, threads === undefined ? {} : { threads })
    backendName = backend.name
    options.log?.(formatBackendInfo(backend))
  } catch (backendError) {
    throw new Refusal([`backend: ${messageOf(backendError)}`])
  }
  try {
    await prepareEnv(config.env) // loads the MuJoCo runtime for the MuJoCo ids; nothing for the others
  } catch (envError) {
    throw new Refusal([`env: ${messageOf(envError)}`])
  }
  let sizes: ReturnType<typeof envSizes>
  try {
    sizes = envSizes(config)
    checkResources(config, sizes, options.machine, backendName)
    await checkRedis(config)
  } catch (resourceError) {
    throw new Refusal([redactSecrets(config, messageOf(resourceError))])
  }
  if (config.warmupSteps >= config.steps && resumeDir === undefined) {
    warnings.push(
      `warning: the warm-up (${config.warmupSteps} steps) is as long as the run (${config.steps} steps): the agent ` +
        'acts at random throughout and never learns',
    )
  }

  // 3. the checkpoint to resume from, verified in full, and the run's stream
  let snapshot: ExperimentSnapshot | undefined
  try {
    if (resumeDir !== undefined) {
      try {
        snapshot = await loadExperiment(runFiles(resumeDir).checkpoints, {
          expected: { ...sizes, hiddenSizes: config.agent.hiddenSizes, capacity: config.bufferSize },
          onWarning: (message) => warnings.push(`warning: ${message}`),
        })
      } catch (loadError) {
        throw new Error(`Cannot resume ${show(resumeDir)}: ${messageOf(loadError)}`)
      }
      if (config.steps <= snapshot.t) {
        throw new Error(
          `Cannot resume ${show(resumeDir)}: its last checkpoint is at step ${snapshot.t} and the run has ` +
            `${config.steps} steps; pass --steps greater than ${snapshot.t} to train further`,
        )
      }
    }
    const plan = planRun(config, snapshot)
    return {
      config,
      plan,
      backendName,
      maxCriticLoss,
      warnings,
      ...(resumeDir === undefined ? {} : { resumeDir }),
      ...(snapshot === undefined ? {} : { snapshot }),
    }
  } catch (planError) {
    if (snapshot !== undefined) disposeExperimentSnapshot(snapshot)
    throw new Refusal([messageOf(planError)])
  }
}

/** Removes what a killed process left in a run folder: temporary files of atomic writes and of checkpoint saves. */
const removeLeftovers = async (runDir: string): Promise<string[]> => {
  const files = runFiles(runDir)
  const dirs = [runDir, files.checkpoints, files.final].flatMap((dir) =>
    dir === runDir ? [dir] : [dir, path.join(dir, 'learner'), path.join(dir, 'replay')],
  )
  const removed: string[] = []
  for (const dir of dirs) {
    for (const name of await removeStaleTemporaries(dir)) removed.push(path.join(dir, name))
  }
  return removed
}

/**
 * Runs the trainer with command-line arguments and resolves to the exit code: 0 done, 1 the run failed (e.g. it
 * diverged), 2 bad flags, config, resources or checkpoint (nothing was started and nothing written), 130
 * interrupted.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2))
 * ```
 */
export const main = async (argv: readonly string[], options: MainOptions = {}): Promise<number> => {
  const log = options.log ?? ((line: string) => console.log(line))
  const error = options.error ?? ((line: string) => console.error(line))
  const cwd = options.cwd ?? process.env.INIT_CWD ?? process.cwd()
  const command = options.command ?? 'npm start --'
  const show = (file: string): string => {
    const relative = path.relative(cwd, file)
    return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? file : relative
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    log(usage(command))
    return 0
  }

  // 1. everything checked, nothing written
  let prepared: PreparedRun
  try {
    prepared = await prepareRun(argv, { ...options, cwd, command, log })
  } catch (refusal) {
    for (const line of refusal instanceof Refusal ? refusal.lines : [messageOf(refusal)]) error(line)
    return 2
  }
  const { config, plan, backendName, snapshot, resumeDir } = prepared
  for (const line of prepared.warnings) error(line)

  // 2. the run folder, config.json and metrics.jsonl
  let runDir: string
  try {
    runDir = resumeDir ?? makeRunDir(config, cwd, options.now ?? Date.now)
  } catch (dirError) {
    if (snapshot !== undefined) disposeExperimentSnapshot(snapshot)
    const inUse = (dirError as { code?: unknown }).code === 'EEXIST'
    error(
      inUse && config.runName !== undefined
        ? `The run folder ${config.runName} already exists in ${config.outDir}: pick another --run-name, or continue ` +
            `it with --resume`
        : `Cannot make the run folder in ${config.outDir}: ${messageOf(dirError)}`,
    )
    return 2
  }
  const files = runFiles(runDir)
  if (snapshot !== undefined) {
    for (const file of await removeLeftovers(runDir)) error(`removed ${show(file)}, left by an interrupted save`)
    const repair = repairMetrics(files.metrics)
    if (repair.firstBad !== undefined) {
      error(
        `warning: ${show(files.metrics)} line ${repair.firstBad.line} is damaged (${repair.firstBad.reason}); cut ` +
          `the file back to its ${repair.kept} good line${repair.kept === 1 ? '' : 's'} before it (dropped ` +
          `${repair.dropped})`,
      )
    }
  }
  writeAtomically(files.config, `${JSON.stringify(configForDisk(config), null, 2)}\n`)
  if (holdsSecret(config)) {
    error('note: the Redis password is not written to config.json; a resumed run takes it from POLYAK_REDIS_PASSWORD')
  }
  if (snapshot !== undefined) {
    const started = readMetrics(files.metrics).find((r) => r.event === 'start')
    if (started !== undefined && started.backend !== backendName) {
      error(
        `warning: this run started on the ${String(started.backend)} backend and resumes on ${backendName}; ` +
          'it continues, but not bit for bit as it would have',
      )
    }
  }
  const metrics = openMetrics(files.metrics, snapshot === undefined ? {} : { resumeAt: snapshot.t })
  metrics.write(
    snapshot === undefined
      ? { step: 0, event: 'start', backend: backendName }
      : { step: snapshot.t, event: 'resume', backend: backendName, steps: config.steps },
  )
  log(describeRun(config))
  log(
    snapshot === undefined
      ? `run folder: ${show(runDir)}`
      : `resuming ${show(runDir)} from the checkpoint at step ${snapshot.t} (episode ${snapshot.episode})`,
  )

  // 3. the run
  const result = await train(config, plan, {
    runDir,
    metrics,
    ...(snapshot === undefined ? {} : { resume: snapshot }),
    resumeCommand: `${command} --resume ${show(runDir)}`,
    maxCriticLoss: prepared.maxCriticLoss,
    redact: (text) => redactSecrets(config, text),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    log,
    error,
    show,
  })
  return result.exitCode
}
