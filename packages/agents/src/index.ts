/**
 * `@polyak/agents`: DDPG, TD3 and D4PG as compositions of pure losses and update functions.
 *
 * - Losses and targets: {@link tdTarget}, {@link clippedDoubleQTarget}, {@link criticLoss}, {@link dpgLoss}.
 * - Networks: {@link makeNetworks} (tanh actor scaled to the bounds, critic on [s, a]).
 * - State and updates: {@link TrainState}, {@link updateCritic}, {@link updateActor}, {@link updateTargets},
 *   composed by {@link learnerStep}.
 * - Critic heads: {@link scalarHead} (DDPG, TD3) and {@link categoricalHead} (D4PG, with {@link categoricalProjection}).
 * - Agents as values: {@link ddpg}, {@link td3} and {@link d4pg} ({@link Agent} records: config codec with the paper's
 *   defaults, critics, head, learner, replay), all in {@link agents}; their learners {@link makeDdpgLearner},
 *   {@link makeTd3Learner} and {@link makeD4pgLearner}.
 *
 * @packageDocumentation
 */
export * from './agent.js'
export * from './agents.js'
export * from './criticHeads.js'
export * from './d4pg/agent.js'
export * from './d4pg/config.js'
export * from './d4pg/learning.js'
export * from './ddpg/agent.js'
export * from './ddpg/config.js'
export * from './ddpg/learning.js'
export * from './learnerStep.js'
export * from './losses/categoricalProjection.js'
export * from './losses/criticLoss.js'
export * from './losses/dpgLoss.js'
export * from './losses/tdTarget.js'
export * from './networks.js'
export * from './policy.js'
export * from './TrainState.js'
export * from './td3/agent.js'
export * from './td3/config.js'
export * from './td3/learning.js'
export * from './updateActor.js'
export * from './updateCritic.js'
export * from './updateTargets.js'
