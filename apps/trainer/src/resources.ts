/**
 * Resource bounds of a run, decided before anything starts: the replay's bytes, the networks' parameters and their
 * activations at the batch size, and the number of actor threads or processes, against this machine's memory and
 * cores. A run that cannot fit is refused with a message that names the field and says what fits.
 *
 * @module resources
 */
import os from 'node:os'
import { Box, ConfigError, defaultNativeThreads } from '@polyak/core'
import { makeEnv } from '@polyak/envs'
import type { TrainerConfig } from './config.js'

const GiB = 2 ** 30

/** The largest file Node's `readFile` reads back (a replay checkpoint larger than this cannot be resumed from). */
export const MAX_CHECKPOINT_FILE_BYTES = 2 ** 31 - 1

/** The most elements tfjs gives one tensor (its indices are int32). */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1

/** The wasm backends (`wasm`, `native`) address at most 4 GiB: the networks, activations and saved tensors share it. */
export const WASM_HEAP_BYTES = 4 * GiB

/** Share of the machine's memory a run may plan to use. */
export const MEMORY_SHARE = 0.8

/** Worker threads or spawned actor processes per core. */
export const ACTORS_PER_CORE = 4

/** Remote Redis actors (started elsewhere) a learner accepts. */
export const MAX_REMOTE_ACTORS = 1024

/**
 * Threads for the learner's native products beside this run's local actors (worker threads, or Redis actor processes
 * the trainer spawns), so that together they ask for no more than the machine's cores: the default thread count less
 * one per local actor, at least 1. `undefined` (the backend's own default) when `POLYAK_NATIVE_THREADS` is set or the
 * actors are inline or remote.
 *
 * @example
 * ```ts
 * learnerThreads({ kind: 'workers', count: 1 }, { totalMemory: 8 * 2 ** 30, cores: 2 }, {}) // 1
 * learnerThreads({ kind: 'inline' }, { totalMemory: 8 * 2 ** 30, cores: 2 }, {}) // undefined: 2, the default
 * ```
 */
export const learnerThreads = (
  actors: { readonly kind: string; readonly count?: number; readonly spawn?: boolean },
  machine: Machine = thisMachine(),
  env: Readonly<Record<string, string | undefined>> = process.env,
): number | undefined => {
  if (env.POLYAK_NATIVE_THREADS !== undefined && env.POLYAK_NATIVE_THREADS !== '') return undefined
  const local =
    actors.kind === 'workers' || (actors.kind === 'redis' && actors.spawn === true) ? (actors.count ?? 0) : 0
  if (local === 0) return undefined
  return Math.max(1, defaultNativeThreads(env, machine.cores) - local)
}

/** The machine a run is sized for; injectable for tests. */
export interface Machine {
  /** Bytes of memory (`os.totalmem()`). */
  readonly totalMemory: number
  /** Cores (`os.availableParallelism()`). */
  readonly cores: number
}

/**
 * This machine.
 *
 * @example
 * ```ts
 * thisMachine().cores // 2
 * ```
 */
export const thisMachine = (): Machine => ({ totalMemory: os.totalmem(), cores: os.availableParallelism() })

/** The sizes of a run's env. */
export interface EnvSizes {
  readonly observationSize: number
  readonly actionSize: number
}

/**
 * The observation and action sizes of the config's env (made and closed at once).
 *
 * @throws Error (naming `env`) for an unknown env id or bad `envOptions`
 *
 * @example
 * ```ts
 * envSizes(config) // { observationSize: 3, actionSize: 1 } for Pendulum-v1
 * ```
 */
export const envSizes = (config: Pick<TrainerConfig, 'env' | 'envOptions'>): EnvSizes => {
  let env: ReturnType<typeof makeEnv>
  try {
    env = makeEnv(config.env, config.envOptions)
  } catch (error) {
    throw new ConfigError([`env: ${error instanceof Error ? error.message : String(error)}`], 'trainer config')
  }
  const sizes = { observationSize: Box.size(env.observationSpace), actionSize: env.actionSpace.low.length }
  env.close()
  return sizes
}

/** What a run needs, in bytes, and the figures behind it. */
export interface ResourceEstimate {
  /** Bytes per replay row in memory, and in a checkpoint file. */
  readonly replayRowBytes: number
  readonly savedRowBytes: number
  /** The replay's memory, and the peak while a snapshot of it is saved (live + copy + tensors + encoded file). */
  readonly replayBytes: number
  readonly replayPeakBytes: number
  /** The replay checkpoint file. */
  readonly replayFileBytes: number
  /** Parameters of the actor and all critics. */
  readonly parameters: number
  /** Parameters, targets, Adam moments and gradients. */
  readonly networkBytes: number
  /** Activations of one update at the batch size (forward and backward, targets included), per sample and total. */
  readonly activationBytesPerSample: number
  readonly activationBytes: number
  /** The largest weight matrix, in elements. */
  readonly largestTensor: number
  /** The largest activation (batch × the widest layer), in elements. */
  readonly largestActivation: number
  /** Everything at its peak. */
  readonly totalBytes: number
}

const mlpParameters = (sizes: readonly number[]): number => {
  let total = 0
  for (let i = 1; i < sizes.length; i++) total += ((sizes[i - 1] as number) + 1) * (sizes[i] as number)
  return total
}

const mlpLargest = (sizes: readonly number[]): number => {
  let largest = 0
  for (let i = 1; i < sizes.length; i++) largest = Math.max(largest, (sizes[i - 1] as number) * (sizes[i] as number))
  return largest
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)

/**
 * The memory a run needs: estimates, rounded up, of the replay (each row holds the observation and next
 * observation, the action, the reward and two flags; n-step adds a discount, prioritized replay a sum-tree leaf),
 * the networks (actor and critics, each with its target, two Adam moments and a gradient) and the activations of
 * one update at the batch size.
 *
 * @example
 * ```ts
 * estimateResources(config, { observationSize: 3, actionSize: 1 }).replayBytes // 3_400_000 for 100k rows
 * ```
 */
export const estimateResources = (config: TrainerConfig, sizes: EnvSizes): ResourceEstimate => {
  const { observationSize: o, actionSize: a } = sizes
  // n-step and the sampler: top-level fields of the config, or the agent's (where the config keeps them)
  const fields = { ...(config.agent as Record<string, unknown>), ...(config as unknown as Record<string, unknown>) }
  const nStep = typeof fields.nStep === 'number' && fields.nStep > 1
  const prioritized = fields.sampler !== undefined && fields.sampler !== 'uniform'
  const replayRowBytes = 4 * (2 * o + a + 1) + 2 + (nStep ? 4 : 0) + (prioritized ? 16 : 0)
  const savedRowBytes = 4 * (2 * o + a + 1) + 8 + (nStep ? 4 : 0) + (prioritized ? 8 : 0)
  const replayBytes = config.bufferSize * replayRowBytes
  const replayFileBytes = config.bufferSize * savedRowBytes
  const replayPeakBytes = 3 * replayBytes + 2 * replayFileBytes
  const hidden = config.agent.hiddenSizes
  const atoms = typeof config.agent.atoms === 'number' ? config.agent.atoms : 1
  const critics = config.algo === 'td3' ? 2 : 1
  const actorSizes = [o, ...hidden, a]
  const criticSizes = [o + a, ...hidden, atoms]
  const parameters = mlpParameters(actorSizes) + critics * mlpParameters(criticSizes)
  const networkBytes = 4 * 5 * parameters
  // per sample: the actor twice (policy and target), each critic three times (value, target, actor loss), forward
  // and backward
  const activationBytesPerSample = 4 * 2 * (2 * sum(actorSizes) + 3 * critics * sum(criticSizes))
  const activationBytes = config.batchSize * activationBytesPerSample
  const largestTensor = Math.max(mlpLargest(actorSizes), mlpLargest(criticSizes))
  return {
    replayRowBytes,
    savedRowBytes,
    replayBytes,
    replayPeakBytes,
    replayFileBytes,
    parameters,
    networkBytes,
    activationBytesPerSample,
    activationBytes,
    largestTensor,
    largestActivation: config.batchSize * Math.max(...actorSizes, ...criticSizes),
    totalBytes: replayPeakBytes + networkBytes + activationBytes,
  }
}

/** Bytes as GiB or MiB, for messages. */
export const formatBytes = (bytes: number): string =>
  bytes >= GiB ? `${(bytes / GiB).toPrecision(3)} GiB` : `${(bytes / 2 ** 20).toPrecision(3)} MiB`

/**
 * Every way the run does not fit this machine, one line per field (empty when it fits): the replay against memory
 * and the checkpoint file limit, the networks and activations against memory (and the wasm heap), the largest
 * tensor, and the actor count against the cores. Each line names the field and says what fits.
 *
 * @example
 * ```ts
 * resourceProblems(config, { observationSize: 3, actionSize: 1 }, { totalMemory: 8 * 2 ** 30, cores: 2 }) // []
 * ```
 */
export const resourceProblems = (
  config: TrainerConfig,
  sizes: EnvSizes,
  machine: Machine = thisMachine(),
  backend = 'auto',
): string[] => {
  const e = estimateResources(config, sizes)
  const budget = MEMORY_SHARE * machine.totalMemory
  const memory = `${formatBytes(machine.totalMemory)} of memory (runs plan on ${MEMORY_SHARE * 100}%)`
  const problems: string[] = []
  const others = e.networkBytes + e.activationBytes
  const perRow = 3 * e.replayRowBytes + 2 * e.savedRowBytes
  const rowsThatFit = Math.max(
    0,
    Math.floor(Math.min((budget - others) / perRow, MAX_CHECKPOINT_FILE_BYTES / e.savedRowBytes)),
  )
  if (e.replayFileBytes > MAX_CHECKPOINT_FILE_BYTES) {
    problems.push(
      `bufferSize: ${config.bufferSize} rows of ${e.savedRowBytes} bytes make a ${formatBytes(e.replayFileBytes)} ` +
        `replay checkpoint, over the ${formatBytes(MAX_CHECKPOINT_FILE_BYTES)} a file can be read back; at most ` +
        `${rowsThatFit} rows fit`,
    )
  } else if (e.totalBytes > budget && e.replayPeakBytes > others) {
    problems.push(
      `bufferSize: the replay takes ${formatBytes(e.replayBytes)} (up to ${formatBytes(e.replayPeakBytes)} while a ` +
        `checkpoint is written) and the run about ${formatBytes(e.totalBytes)} in all; this machine has ${memory}; ` +
        `at most ${rowsThatFit} rows fit`,
    )
  }
  const wasm = backend === 'wasm' || backend === 'native'
  const netBudget = Math.min(
    budget - Math.min(e.replayPeakBytes, budget / 2),
    wasm ? WASM_HEAP_BYTES : Number.POSITIVE_INFINITY,
  )
  if (e.networkBytes > netBudget || e.largestTensor > MAX_TENSOR_ELEMENTS) {
    problems.push(
      `agent.hiddenSizes: [${config.agent.hiddenSizes.join(',')}] make ${e.parameters.toExponential(2)} parameters ` +
        `(${formatBytes(e.networkBytes)} with targets, Adam moments and gradients) and a largest tensor of ` +
        `${e.largestTensor.toExponential(2)} elements; this machine has ${memory}` +
        `${wasm ? ` and the ${backend} backend addresses ${formatBytes(WASM_HEAP_BYTES)}` : ''}, and a tensor holds at ` +
        `most ${MAX_TENSOR_ELEMENTS} elements`,
    )
  } else if (e.networkBytes + e.activationBytes > netBudget || e.largestActivation > MAX_TENSOR_ELEMENTS) {
    const batches = Math.max(0, Math.floor((netBudget - e.networkBytes) / e.activationBytesPerSample))
    problems.push(
      `batchSize: ${config.batchSize} samples take about ${formatBytes(e.activationBytes)} of activations per update ` +
        `with these networks; at most ${batches} fit in ${wasm ? `the ${backend} backend's ${formatBytes(WASM_HEAP_BYTES)}` : memory}`,
    )
  }
  if (!Number.isSafeInteger(config.steps)) {
    problems.push(`steps: ${config.steps} is beyond ${Number.MAX_SAFE_INTEGER}, the largest step count that is exact`)
  }
  const { actors } = config
  const count = 'count' in actors && typeof actors.count === 'number' ? actors.count : 1
  const local = actors.kind === 'workers' || (actors.kind === 'redis' && 'spawn' in actors && actors.spawn === true)
  const maxActors = local ? ACTORS_PER_CORE * machine.cores : MAX_REMOTE_ACTORS
  if (count > maxActors) {
    problems.push(
      `actors.count: ${count} ${actors.kind === 'workers' ? 'worker threads' : local ? 'spawned actor processes' : 'remote actors'} ` +
        `exceed the bound of ${maxActors}` +
        (local ? ` (${ACTORS_PER_CORE} per core, ${machine.cores} cores)` : ' remote actors per learner'),
    )
  }
  return problems
}

/**
 * Refuses a run that does not fit this machine (see {@link resourceProblems}).
 *
 * @throws ConfigError (`Invalid trainer config:` and one line per field) when it does not fit
 *
 * @example
 * ```ts
 * checkResources(config, envSizes(config)) // throws for --buffer-size 1e12
 * ```
 */
export const checkResources = (config: TrainerConfig, sizes: EnvSizes, machine?: Machine, backend?: string): void => {
  const problems = resourceProblems(config, sizes, machine, backend)
  if (problems.length > 0) throw new ConfigError(problems, 'trainer config (it does not fit this machine)')
}
