/**
 * The trainer's command line: flags → validated config → run folder → {@link train}. `main` returns the exit code
 * instead of exiting, so tests drive it like a user would.
 *
 * @module main
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { formatBackendInfo, setBackend } from '@polyak/core'
import { prepareEnv } from '@polyak/envs'
import { disposeExperimentSnapshot, type ExperimentSnapshot, loadExperiment } from '@polyak/pipelines'
import { parseArgs, usage } from './cli.js'
import { decodeTrainerConfig, savedConfigWithSteps, type TrainerConfig } from './config.js'
import { openMetrics, readMetrics } from './metrics.js'
import { planRun, type RunPlan, runFiles, train } from './train.js'

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

/**
 * Runs the trainer with command-line arguments and resolves to the exit code: 0 done, 1 the run failed (e.g. it
 * diverged), 2 bad flags or config (nothing was started and no run folder made), 130 interrupted.
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

  // 1. the config: flags (and --config), or a saved run's config.json with --resume
  let config: TrainerConfig
  let resumeDir: string | undefined
  try {
    const { resume, ...flags } = parseArgs(argv, { cwd })
    if (resume !== undefined) {
      if (typeof resume !== 'string') throw new Error('--resume needs the path of a run folder')
      resumeDir = path.resolve(cwd, resume)
      const others = Object.keys(flags).filter((key) => key !== 'steps')
      if (others.length > 0) {
        throw new Error(
          `--resume continues a run with the config.json it saved; only --steps may be given with it, got ` +
            `${others.map((key) => `--${kebab(key)}`).join(', ')}`,
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
      config = savedConfigWithSteps(saved, flags.steps)
    } else {
      config = decodeTrainerConfig(flags)
    }
  } catch (configError) {
    error(messageOf(configError))
    error(`(${command} --help lists every flag)`)
    return 2
  }

  // 2. the backend, the checkpoint to resume from and the run's stream: all checked before a folder is made
  let backendName: string
  try {
    const backend = await setBackend(config.backend)
    backendName = backend.name
    log(formatBackendInfo(backend))
    await prepareEnv(config.env) // loads the MuJoCo runtime for the MuJoCo ids; nothing for the others
  } catch (backendError) {
    error(messageOf(backendError))
    return 2
  }
  let snapshot: ExperimentSnapshot | undefined
  let plan: RunPlan
  try {
    if (resumeDir !== undefined) {
      try {
        snapshot = await loadExperiment(runFiles(resumeDir).checkpoints)
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
    plan = planRun(config, snapshot)
  } catch (planError) {
    if (snapshot !== undefined) disposeExperimentSnapshot(snapshot)
    error(messageOf(planError))
    return 2
  }

  // 3. the run folder, config.json and metrics.jsonl
  let runDir: string
  try {
    runDir = resumeDir ?? makeRunDir(config, cwd, options.now ?? Date.now)
  } catch (dirError) {
    if (snapshot !== undefined) disposeExperimentSnapshot(snapshot)
    const inUse = (dirError as { code?: unknown }).code === 'EEXIST'
    error(
      inUse
        ? `The run folder ${config.runName} already exists in ${config.outDir}: pick another --run-name, or continue ` +
            `it with --resume`
        : `Cannot make the run folder: ${messageOf(dirError)}`,
    )
    return 2
  }
  const files = runFiles(runDir)
  writeAtomically(files.config, `${JSON.stringify(config, null, 2)}\n`)
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

  // 4. the run
  const result = await train(config, plan, {
    runDir,
    metrics,
    ...(snapshot === undefined ? {} : { resume: snapshot }),
    resumeCommand: `${command} --resume ${show(runDir)}`,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    log,
    error,
    show,
  })
  return result.exitCode
}
