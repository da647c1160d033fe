/**
 * `@polyak/pipelines`: training as an RxJS stream. Environment steps flow from {@link rollout} (with {@link explore}
 * between the policy and the env) into `remember` (from `@polyak/replay`), batches into {@link learn}, and
 * {@link train} wires a whole run of one agent (`@polyak/agents`' `td3`, `d4pg`, …) as one cold Observable
 * ({@link runExperiment}: the same, with the agent named in the config); {@link schedule} runs evaluations and
 * checkpoints at absolute steps; {@link workerActors} runs the actors in worker threads and
 * {@link redisActors} in processes reached through Redis (the transport lives in `actors/`, apart from the operators).
 *
 * @packageDocumentation
 */
export * from './actors/live.js'
export type * from './actors/protocol.js'
export * from './actors/redis.js'
export * from './actors/redisProtocol.js'
export * from './actors/seeds.js'
export type { ActorsOptions } from './actors/steps.js'
export * from './actors/workers.js'
export * from './checkpoint.js'
export * from './config.js'
export * from './EnvStep.js'
export * from './ExperimentSnapshot.js'
export * from './emitEach.js'
export * from './evaluate.js'
export * from './evaluatePolicy.js'
export * from './events.js'
export * from './everyN.js'
export * from './explore.js'
export * from './learn.js'
export * from './logMetrics.js'
export * from './prepareRun.js'
export * from './rollout.js'
export * from './runExperiment.js'
export * from './schedule.js'
export * from './timeSlicedTicks.js'
export * from './train.js'
