/**
 * The trainer's configuration: every field of the pipelines' `ExperimentConfigCodec`, the algorithm's own `agent`
 * codec in place of its free-form record, the trainer's fields (`preset`, `backend`, `outDir`, `runName`,
 * `logEvery`) and a few top-level shortcuts into `agent` (`--hidden-sizes`, `--learning-rate`, …). One strict
 * decode reports every problem, with a "did you mean" hint for a misspelt key.
 *
 * @module config
 */
import { type AgentName, agents } from '@polyak/agents'
import { ConfigError, decodeOrThrow, optional, PositiveNumber, strictObject, withDefaults } from '@polyak/core'
import { ExperimentConfigCodec } from '@polyak/pipelines'
import * as t from 'io-ts'

/** The backends a user can ask for on the command line. */
const BackendCodec = t.keyof(
  { auto: null, native: null, wasm: null, cpu: null, tensorflow: null },
  'one of auto, native, wasm, cpu, tensorflow',
)

/** The presets: the embedded default, or CleanRL's TD3/DDPG script defaults. */
const PresetCodec = t.keyof({ default: null, cleanrl: null }, 'one of default, cleanrl')

/** A preset name. */
export type Preset = t.TypeOf<typeof PresetCodec>

/** When progress is printed: every `n` seconds (`"2s"`, `"0.5s"`) or every `n` environment steps (`1000`). */
export type LogEvery = number | `${number}s`

const SECONDS = /^(\d+(?:\.\d*)?|\.\d+)s$/

/**
 * `logEvery` parsed: `{ seconds }` or `{ steps }`.
 *
 * @example
 * ```ts
 * parseLogEvery('2s') // { seconds: 2 }
 * parseLogEvery(500) // { steps: 500 }
 * ```
 */
export const parseLogEvery = (value: LogEvery): { readonly seconds: number } | { readonly steps: number } =>
  typeof value === 'number' ? { steps: value } : { seconds: Number((SECONDS.exec(value) as RegExpExecArray)[1]) }

const isLogEvery = (u: unknown): u is LogEvery =>
  (typeof u === 'number' && Number.isInteger(u) && u > 0) ||
  (typeof u === 'string' && SECONDS.test(u) && Number(SECONDS.exec(u)?.[1]) > 0)

const LogEveryCodec = new t.Type<LogEvery, LogEvery, unknown>(
  'seconds like "2s" or a whole number of steps like 1000',
  isLogEvery,
  (u, c) =>
    isLogEvery(u)
      ? t.success(u)
      : t.failure(u, c, `expected seconds like "2s" or a whole number of steps > 0, got ${JSON.stringify(u)}`),
  (a) => a,
)

const isRunName = (u: unknown): u is string => typeof u === 'string' && /^[\w.-]+$/.test(u) && u !== '.' && u !== '..'

const RunNameCodec = new t.Type<string, string, unknown>(
  'a folder name',
  isRunName,
  (u, c) =>
    isRunName(u)
      ? t.success(u)
      : t.failure(u, c, `expected a folder name of letters, digits, '.', '_' and '-', got ${JSON.stringify(u)}`),
  (a) => a,
)

/** Top-level flags that set a field of `agent` (they override the same key given inside `--agent`). */
const AGENT_SHORTCUTS = [
  'hiddenSizes',
  'actorLearningRate',
  'criticLearningRate',
  'gamma',
  'tau',
  'policyDelay',
  'targetNoise',
  'targetNoiseClip',
  'nStep',
  'sampler',
] as const

/**
 * The algorithms the trainer offers: the names of `@polyak/agents`' `agents` record.
 *
 * @example
 * ```ts
 * ALGOS // ['ddpg', 'td3', 'd4pg']
 * ```
 */
export const ALGOS: readonly AgentName[] = Object.keys(agents) as AgentName[]

const isAlgo = (algo: unknown): algo is AgentName => typeof algo === 'string' && Object.hasOwn(agents, algo)

/** The agent codec of an algorithm; TD3's for anything else (the `algo` field reports that). */
const agentCodecOf = (algo: unknown) => (isAlgo(algo) ? agents[algo] : agents.td3).config

/**
 * The trainer's props for an algorithm: the experiment's, with `agent` checked by the algorithm's codec, the
 * trainer's own fields, and the agent shortcuts that algorithm has (DDPG has no `targetNoise`).
 */
const trainerProps = (algo: unknown) => {
  const agent = agentCodecOf(algo)
  const agentProps: t.Props = agent.codec.props
  const shortcuts = Object.fromEntries(
    AGENT_SHORTCUTS.filter((key) => key in agentProps).map((key) => [key, optional(agentProps[key] as t.Mixed)]),
  ) as Record<(typeof AGENT_SHORTCUTS)[number], t.Type<unknown, unknown, unknown>>
  return {
    ...ExperimentConfigCodec.codec.props,
    /** The algorithm's own config (`Td3ConfigCodec`, `DdpgConfigCodec`, …), defaults filled in. */
    agent,
    /** Which defaults fill what is not given: the embedded default job or CleanRL's defaults. */
    preset: PresetCodec,
    /** tfjs backend: `auto` picks the fastest that loads. */
    backend: BackendCodec,
    /** Where run folders are written (relative to where the command was run). */
    outDir: t.string,
    /** The run folder's name; default `<env>__<algo>__<seed>__<unix time>`. */
    runName: optional(RunNameCodec),
    /** Print a progress line every `"<n>s"` seconds or every `<n>` steps. */
    logEvery: LogEveryCodec,
    /** Sets both `agent.actorLearningRate` and `agent.criticLearningRate` (each of those wins over it). */
    learningRate: optional(PositiveNumber),
    ...shortcuts,
  }
}

/**
 * The embedded default job: TD3 on Pendulum-v1 sized to finish in a few minutes on a 2-core CPU (64-64 networks,
 * batch 128, 1k warm-up steps, 15k steps), evaluated and checkpointed every 5k steps. The replay holds 100k
 * transitions: behaviourally the same as CleanRL's 1M for any run up to 100k steps (uniform sampling only sees the
 * stored rows), with checkpoints a tenth of the size.
 */
const DEFAULT_PRESET = {
  ...ExperimentConfigCodec.defaults,
  preset: 'default',
  algo: 'td3',
  env: 'Pendulum-v1',
  steps: 15_000,
  seed: 1,
  warmupSteps: 1_000,
  batchSize: 128,
  bufferSize: 100_000,
  explorationNoise: 0.1,
  agent: { hiddenSizes: [64, 64] },
  evalEvery: 5_000,
  evalEpisodes: 5,
  checkpointEvery: 5_000,
  backend: 'auto',
  outDir: 'runs',
  logEvery: '2s',
} as const

/**
 * CleanRL's TD3/DDPG script defaults (1M steps, 25k random warm-up steps, batch 256 from a 1M replay, 256-256
 * networks, Adam 3e-4, σ 0.1): the pipelines' own `ExperimentConfigCodec` defaults, with an evaluation of 10
 * episodes and a checkpoint every 10k steps.
 */
const CLEANRL_PRESET = {
  ...ExperimentConfigCodec.defaults,
  preset: 'cleanrl',
  agent: {},
  evalEvery: 10_000,
  evalEpisodes: 10,
  checkpointEvery: 10_000,
  backend: 'auto',
  outDir: 'runs',
  logEvery: '2s',
} as const

/**
 * The defaults of each preset, in the encoded (JSON) form.
 *
 * @example
 * ```ts
 * PRESETS.default.steps // 15000
 * PRESETS.cleanrl.warmupSteps // 25000
 * ```
 */
export const PRESETS = { default: DEFAULT_PRESET, cleanrl: CLEANRL_PRESET } as const

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * The trainer codec for an input: the props of its algorithm (TD3 unless it says `ddpg`) and the defaults of its
 * preset (`default` unless it names `cleanrl`).
 *
 * @example
 * ```ts
 * decodeOrThrow(trainerCodecFor({ preset: 'cleanrl' }), { preset: 'cleanrl' }).batchSize // 256
 * ```
 */
export const trainerCodecFor = (input: unknown) => {
  const raw = isRecord(input) ? input : {}
  const preset = raw.preset === 'cleanrl' ? CLEANRL_PRESET : DEFAULT_PRESET
  const algo = raw.algo ?? preset.algo
  return withDefaults(strictObject('TrainerConfig', trainerProps(algo)), preset as never)
}

type Decoded = t.TypeOf<ReturnType<typeof trainerCodecFor>>

/** The decoded agent config of an algorithm (every algorithm's has `hiddenSizes`). */
export type AgentConfig = Readonly<Record<string, unknown>> & { readonly hiddenSizes: readonly number[] }

/**
 * A decoded trainer config: the experiment's fields with the full agent config (shortcuts folded in), and the
 * trainer's own fields. This is what `config.json` of a run holds.
 */
export type TrainerConfig = Omit<
  Decoded,
  (typeof AGENT_SHORTCUTS)[number] | 'learningRate' | 'agent' | 'runName' | 'logEvery'
> & {
  readonly agent: AgentConfig
  readonly runName?: string
  readonly logEvery: LogEvery
}

/**
 * Validates a raw config (from flags and `--config`) and returns the decoded trainer config, with the agent
 * shortcuts moved into `agent`.
 *
 * @throws ConfigError (`Invalid trainer config:` and one line per problem) for an unknown key or a bad value
 *
 * @example
 * ```ts
 * const config = decodeTrainerConfig({ steps: 2000, hiddenSizes: [32] })
 * config.agent.hiddenSizes // [32]
 * ```
 */
export const decodeTrainerConfig = (input: unknown): TrainerConfig => {
  const decoded = decodeOrThrow(trainerCodecFor(input), input, 'trainer config') as Record<string, unknown>
  const agent: Record<string, unknown> = { ...(decoded.agent as Record<string, unknown>) }
  const raw = isRecord(input) ? input : {}
  const rawAgent = isRecord(raw.agent) ? raw.agent : {}
  if (decoded.learningRate !== undefined) {
    // --learning-rate sets both, unless one is given on its own (as a flag or inside --agent)
    if (raw.actorLearningRate === undefined && rawAgent.actorLearningRate === undefined) {
      agent.actorLearningRate = decoded.learningRate
    }
    if (raw.criticLearningRate === undefined && rawAgent.criticLearningRate === undefined) {
      agent.criticLearningRate = decoded.learningRate
    }
  }
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(decoded)) {
    if ((AGENT_SHORTCUTS as readonly string[]).includes(key)) {
      if (value !== undefined) agent[key] = value
    } else if (key !== 'learningRate' && key !== 'agent') rest[key] = value
  }
  return { ...rest, agent } as unknown as TrainerConfig
}

/**
 * The part of a trainer config that `runExperiment` takes.
 *
 * @example
 * ```ts
 * runExperiment(experimentConfigOf(config))
 * ```
 */
export const experimentConfigOf = (config: TrainerConfig) => {
  const keys = Object.keys(ExperimentConfigCodec.codec.props) as Array<keyof typeof ExperimentConfigCodec.codec.props>
  return Object.fromEntries(keys.map((key) => [key, config[key]])) as unknown as t.TypeOf<typeof ExperimentConfigCodec>
}

/**
 * Reads the config a run saved (`config.json`) and applies the one override a resume accepts (`steps`).
 *
 * @throws ConfigError when the saved config no longer decodes, or the override is invalid
 *
 * @example
 * ```ts
 * const config = savedConfigWithSteps(JSON.parse(readFileSync('runs/a/config.json', 'utf8')), 20_000)
 * ```
 */
export const savedConfigWithSteps = (saved: unknown, steps: unknown): TrainerConfig => {
  if (!isRecord(saved)) throw new ConfigError(['(root): expected the JSON object of a saved config'], 'saved config')
  return decodeTrainerConfig(steps === undefined ? saved : { ...saved, steps })
}

/**
 * The keys the trainer accepts, for `--help`.
 *
 * @example
 * ```ts
 * configKeys('td3').includes('targetNoise') // true
 * ```
 */
export const configKeys = (algo = 'td3'): readonly string[] => Object.keys(trainerProps(algo))
