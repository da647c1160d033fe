/**
 * An algorithm as a value: its config codec (with the paper's defaults), and how a decoded config becomes critics,
 * a critic head, a learner step and a replay plan for one task. DDPG, TD3 and D4PG are each one such record
 * (`ddpg`, `td3`, `d4pg`); the pipeline takes the record and never looks an algorithm up by name.
 *
 * @module agent
 */
import {
  ConfigError,
  decodeOrThrow,
  NonNegativeInt,
  NonNegativeNumber,
  optional,
  PositiveInt,
  type StrictObjectC,
  strictObject,
  type TypeOfStrict,
  UnitInterval,
  type WithDefaultsC,
  withDefaults,
} from '@polyak/core'
import * as t from 'io-ts'
import type { CriticHead } from './criticHeads.js'
import type { LearnerStep } from './learnerStep.js'
import type { Networks } from './networks.js'

/**
 * The prioritized sampler's settings (Schaul et al. 2016): priorities `(|δ| + ε)^α`, importance weights with an
 * exponent β annealed linearly from `beta0` to 1 over `betaSteps` gradient steps (left out: the run's gradient
 * steps). Defaults: α 0.6, β₀ 0.4, ε 1e-6 (the PER paper's proportional variant; D4PG).
 *
 * @example
 * ```ts
 * decodeOrThrow(PrioritizedSamplerCodec, {}) // { alpha: 0.6, beta0: 0.4, betaSteps: undefined, epsilon: 1e-6 }
 * ```
 */
export const PrioritizedSamplerCodec = withDefaults(
  strictObject('Prioritized', {
    alpha: NonNegativeNumber,
    beta0: UnitInterval,
    betaSteps: optional(NonNegativeInt),
    epsilon: NonNegativeNumber,
  }),
  { alpha: 0.6, beta0: 0.4, epsilon: 1e-6 },
)

/**
 * How batches are drawn: `'uniform'` or `{ prioritized: { alpha, beta0, betaSteps, epsilon } }` (each setting
 * defaulted by {@link PrioritizedSamplerCodec}).
 *
 * @example
 * ```ts
 * decodeOrThrow(SamplerCodec, { prioritized: { alpha: 0.7 } })
 * ```
 */
export const SamplerCodec = t.union([
  t.literal('uniform'),
  strictObject('PrioritizedSampler', { prioritized: PrioritizedSamplerCodec }),
])

/**
 * The io-ts properties of an agent's replay: `nStep` (n of n-step returns; 1 = plain transitions) and `sampler`.
 * Every agent config has them, with the algorithm's defaults (DDPG/TD3: 1 and uniform; D4PG: 5 and prioritized).
 *
 * @example
 * ```ts
 * const MyConfig = strictObject('MyConfig', { ...learnerProps, ...replayProps })
 * ```
 */
export const replayProps = {
  /** n of n-step returns (1: plain transitions; D4PG: 5). */
  nStep: PositiveInt,
  /** `'uniform'` or `{ prioritized: { alpha, beta0, betaSteps, epsilon } }`. */
  sampler: SamplerCodec,
}

/**
 * What every agent config holds, whatever else the algorithm adds: the discount, the network widths and the replay.
 *
 * @example
 * ```ts
 * const base: AgentConfig = { gamma: 0.99, hiddenSizes: [256, 256], nStep: 1, sampler: 'uniform' }
 * ```
 */
export interface AgentConfig {
  readonly gamma: number
  readonly hiddenSizes: readonly number[]
  readonly nStep: number
  readonly sampler: t.TypeOf<typeof SamplerCodec>
}

/**
 * What an agent may know of its task when it is prepared: the env id and, where the env guarantees them, the bounds
 * of a step's reward (`@polyak/envs`' `EnvSpec` has this shape).
 *
 * @example
 * ```ts
 * const task: Task = { id: 'Pendulum-v1', rewardRange: [-16.2736044, 0] }
 * ```
 */
export interface Task {
  readonly id: string
  readonly rewardRange?: readonly [number, number] | undefined
}

/**
 * An agent with its config decoded and fitted to a task: everything a pipeline needs to build the networks, the
 * train state and the learner step, and to set up the replay.
 *
 * @example
 * ```ts
 * const prepared = td3.prepare({ hiddenSizes: [64, 64] }, { id: 'Pendulum-v1' })
 * const networks = makeNetworks({ ...spaces, hiddenSizes: prepared.config.hiddenSizes }, prepared.head)
 * const step = prepared.learner(networks)
 * ```
 */
export interface PreparedAgent<C extends AgentConfig = AgentConfig> {
  /** The algorithm's name (`'td3'`, …). */
  readonly name: string
  /** The decoded config, defaults filled in and fitted to the task (D4PG: its support). */
  readonly config: C
  /** How many critics the train state holds (TD3: 2). */
  readonly critics: number
  /** What the critic's output means (`scalarHead`, or D4PG's categorical head). */
  readonly head: CriticHead
  /** The learner step on networks built with {@link PreparedAgent.head}. */
  readonly learner: (networks: Networks) => LearnerStep
}

/**
 * An algorithm as a value (Acme's builder, as a record of functions): its name, its config codec with the paper's
 * defaults, and `prepare`, which decodes a raw config, fits it to the task and returns the {@link PreparedAgent}.
 * A new algorithm is one new record; pipelines, the trainer and the apps take any record.
 *
 * @example
 * ```ts
 * const prepared = d4pg.prepare({}, { id: 'Pendulum-v1', rewardRange: [-16.2736044, 0] })
 * prepared.config.nStep // 5
 * ```
 */
export interface Agent<P extends t.Props = t.Props> {
  readonly name: string
  /** The io-ts codec of the agent's config, defaults filled in; unknown keys are errors naming the field. */
  readonly config: WithDefaultsC<StrictObjectC<P>>
  /**
   * Decodes `input` with {@link Agent.config} and fits it to `task`.
   *
   * @throws ConfigError naming each bad field (`agent.…`), or what to set when the task cannot decide a setting
   */
  readonly prepare: (input: unknown, task: Task) => PreparedAgent<TypeOfStrict<P> & AgentConfig>
}

/**
 * What a pipeline needs of an agent: its name and `prepare`. Every {@link Agent} is one, whatever its config type, so
 * functions that take any agent (`train`) take this.
 *
 * @example
 * ```ts
 * const choose = (name: 'td3' | 'd4pg'): AnyAgent => agents[name]
 * ```
 */
export interface AnyAgent {
  readonly name: string
  readonly prepare: (input: unknown, task: Task) => PreparedAgent
}

/**
 * An {@link Agent} from its parts: the codec, then for a decoded config the critics, the head and the learner,
 * and an optional `fit` that completes the config from the task (D4PG's support). `prepare` decodes with the codec
 * (errors read `Invalid agent config (<name>)`), fits, then builds the head once.
 *
 * @example
 * ```ts
 * // DDPG with clipped double Q: two critics, the target takes the smaller (TD3 without delay or smoothing)
 * const ddpgDoubleQ = defineAgent({
 *   name: 'ddpg-double-q',
 *   config: DdpgConfigCodec,
 *   critics: () => 2,
 *   head: () => scalarHead,
 *   learner: makeDdpgLearner,
 * })
 * ```
 */
export const defineAgent = <P extends t.Props>(parts: {
  readonly name: string
  readonly config: WithDefaultsC<StrictObjectC<P>>
  readonly fit?: (config: TypeOfStrict<P> & AgentConfig, task: Task) => TypeOfStrict<P> & AgentConfig
  readonly critics: (config: TypeOfStrict<P> & AgentConfig) => number
  readonly head: (config: TypeOfStrict<P> & AgentConfig) => CriticHead
  readonly learner: (networks: Networks, config: TypeOfStrict<P> & AgentConfig) => LearnerStep
}): Agent<P> => ({
  name: parts.name,
  config: parts.config,
  prepare: (input, task) => {
    const decoded = decodeOrThrow(parts.config, input, `agent config (${parts.name})`) as TypeOfStrict<P> & AgentConfig
    const config = parts.fit === undefined ? decoded : parts.fit(decoded, task)
    const head = parts.head(config)
    return {
      name: parts.name,
      config,
      critics: parts.critics(config),
      head,
      learner: (networks) => parts.learner(networks, config),
    }
  },
})

/**
 * The replay an agent config asks for over a run: n and the sampler, with a prioritized sampler's `betaSteps`
 * filled in when left out (the run's gradient steps, `(steps − warmupSteps) · replayRatio`, so β reaches 1 at the
 * end). The result is what `@polyak/replay`'s `remember` and `accumulateNSteps` take.
 *
 * @example
 * ```ts
 * replayPlan(prepared.config, { steps: 20_000, warmupSteps: 1_000, replayRatio: 1 })
 * // { nStep: 5, sampler: { prioritized: { alpha: 0.6, beta0: 0.4, betaSteps: 19_000, epsilon: 1e-6 } } }
 * ```
 */
export const replayPlan = (
  config: Pick<AgentConfig, 'nStep' | 'sampler'>,
  run: { readonly steps: number; readonly warmupSteps: number; readonly replayRatio: number },
): {
  readonly nStep: number
  readonly sampler:
    | 'uniform'
    | {
        readonly prioritized: {
          readonly alpha: number
          readonly beta0: number
          readonly betaSteps: number
          readonly epsilon: number
        }
      }
} => {
  const { sampler } = config
  if (sampler === 'uniform') return { nStep: config.nStep, sampler }
  const { alpha, beta0, epsilon, betaSteps } = sampler.prioritized
  const runGradientSteps = Math.max(1, Math.ceil(Math.max(0, run.steps - run.warmupSteps) * run.replayRatio))
  return {
    nStep: config.nStep,
    sampler: { prioritized: { alpha, beta0, epsilon, betaSteps: betaSteps ?? runGradientSteps } },
  }
}

/**
 * A {@link ConfigError} for an agent setting, worded like the decoders' (`agent.<field>: …`).
 *
 * @example
 * ```ts
 * throw agentConfigError('d4pg', ['vMin: give vMin and vMax together'])
 * ```
 */
export const agentConfigError = (name: string, issues: readonly string[]): ConfigError =>
  new ConfigError(issues, `agent config (${name})`)
