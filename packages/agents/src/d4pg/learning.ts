/**
 * D4PG's learner step (Barth-Maron et al. 2018).
 *
 * @module d4pg/learning
 */
import { agentConfigError, type Task } from '../agent.js'
import { type CriticHead, categoricalHead } from '../criticHeads.js'
import { makeDdpgLearner } from '../ddpg/learning.js'
import type { LearnerStep } from '../learnerStep.js'
import type { Networks } from '../networks.js'
import type { D4pgConfig } from './config.js'

/**
 * The critic head of a D4PG config: a categorical distribution over `atoms` values on [vMin, vMax]. Build the
 * networks with it: `makeNetworks(spec, d4pgHead(config))`.
 *
 * @example
 * ```ts
 * const networks = makeNetworks(spec, d4pgHead(config))
 * ```
 */
export const d4pgHead = (config: {
  readonly atoms: number
  readonly vMin: number | undefined
  readonly vMax: number | undefined
}): CriticHead => {
  const { atoms, vMin, vMax } = config
  if (vMin === undefined || vMax === undefined) {
    throw new Error('d4pgHead: the support is not set (vMin, vMax): fit the config first with fitSupport(config, task)')
  }
  return categoricalHead({ atoms, vMin, vMax })
}

/**
 * The support of a D4PG config fitted to a task. Given `vMin` and `vMax` are kept (and checked: `vMin < vMax`);
 * both left out, they become the range of discounted returns `[rMin, rMax] / (1 − γ)` from the per-step reward
 * bounds of `task.rewardRange` (Pendulum-v1: [−16.27, 0] → [−1627.4, 0]; a constant reward is widened by one on each
 * side). Only one given, or neither with no recorded bounds (or γ = 1): a `ConfigError` that says what to set.
 *
 * @throws ConfigError naming `vMin`/`vMax` and what to set
 *
 * @example
 * ```ts
 * const config = fitSupport(decodeOrThrow(D4pgConfigCodec, {}), { id: 'Pendulum-v1', rewardRange: [-16.2736044, 0] })
 * config.vMin // -1627.36044
 * ```
 */
export const fitSupport = <C extends D4pgConfig>(config: C, task: Task): C & { vMin: number; vMax: number } => {
  const { vMin, vMax, gamma } = config
  const fail = (issue: string) => agentConfigError('d4pg', [issue])
  if (vMin !== undefined && vMax !== undefined) {
    if (!(vMin < vMax)) throw fail(`vMin: expected vMin < vMax, got vMin ${vMin} and vMax ${vMax}`)
    return { ...config, vMin, vMax }
  }
  if (vMin !== undefined || vMax !== undefined) {
    throw fail(
      `${vMin === undefined ? 'vMin' : 'vMax'}: give vMin and vMax together (or neither, to fit them to the task)`,
    )
  }
  const range = task.rewardRange
  if (range === undefined || gamma >= 1) {
    throw fail(
      `vMin, vMax: ${task.id} records no per-step reward bounds${gamma >= 1 ? ' and γ = 1 has no finite return range' : ''}, ` +
        'so the categorical support cannot be fitted: set agent.vMin and agent.vMax to the range of its discounted ' +
        'returns (e.g. episode return bounds, or [rMin, rMax] / (1 − γ))',
    )
  }
  // a range with no width float32 can resolve gets one: atoms that all round to one value cannot be projected onto
  const wide = range[1] - range[0] > 1e-6 * Math.max(1, Math.abs(range[0]), Math.abs(range[1]))
  const [low, high] = wide ? range : [range[0] - 1, range[1] + 1]
  return { ...config, vMin: low / (1 - gamma), vMax: high / (1 - gamma) }
}

/**
 * D4PG's learner step: DDPG's learner step (`makeDdpgLearner`) on networks whose critic is categorical — the projected n-step
 * distributional target and the cross-entropy loss weighted by the batch's importance weights (prioritized replay),
 * whose per-sample values come back as `metrics.tdErrors` (the new priorities); the actor ascends the critic's mean.
 * n-step returns and prioritized sampling are the replay's job (`accumulateNSteps`, `remember` with a prioritized
 * sampler); batches carry their γⁿ as `discounts`.
 *
 * @throws Error when the networks' critic head is not categorical
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(D4pgConfigCodec, { vMin: -1700, vMax: 0 })
 * const networks = makeNetworks(spec, d4pgHead(config))
 * const step = makeD4pgLearner(networks, config)
 * ```
 */
export const makeD4pgLearner = (networks: Networks, config: Omit<D4pgConfig, 'vMin' | 'vMax'>): LearnerStep => {
  if (networks.head.outputSize !== config.atoms) {
    throw new Error(
      `makeD4pgLearner: the networks' critic has ${networks.head.outputSize} outputs, the config ${config.atoms} atoms: ` +
        'build them with makeNetworks(spec, d4pgHead(config))',
    )
  }
  return makeDdpgLearner(networks, config) // the categorical head in the networks is the whole difference
}
