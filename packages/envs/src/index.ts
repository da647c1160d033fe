/**
 * `@polyak/envs`: Gymnasium-shaped environments.
 *
 * - The API ({@link Env}): `reset({ seed, options }) → { observation, info }`,
 *   `step(action) → { observation, reward, terminated, truncated, info }` (`terminated` and `truncated` apart),
 *   Box spaces, `render()` to an RGB {@link Frame}, `close()`. Randomness only from seeded `Rng` keys.
 * - Environments, exact to Gymnasium 1.4: `Pendulum-v1` and `MountainCarContinuous-v0`; on the planck Box2D port:
 *   `LunarLanderContinuous-v3`, `BipedalWalker-v3` and `BipedalWalkerHardcore-v3`. Made with {@link makeEnv} (which
 *   applies the time limit) or directly with `makePendulum` / `makeMountainCarContinuous` /
 *   `makeLunarLanderContinuous` / `makeBipedalWalker`.
 * - MuJoCo envs of Gymnasium v5 on the official MuJoCo WebAssembly build (`@mujoco/mujoco`): `InvertedPendulum-v5`,
 *   `InvertedDoublePendulum-v5`, `Reacher-v5`, `HalfCheetah-v5`, `Hopper-v5`, `Walker2d-v5`, `Ant-v5`; call
 *   `await loadMujoco()` once before making one.
 * - Wrappers, data-last: {@link timeLimit}, {@link recordEpisodeStatistics}, {@link rescaleAction},
 *   {@link normalizeObservation}, {@link frameSkip}, {@link frameStack}; write your own with {@link wrapEnv}.
 * - `LaneFollowing-v0` ({@link makeLaneFollowing}): a procedurally drawn road seen by a forward camera (a software
 *   rasteriser), a kinematic bicycle car, reward = progress along the lane, terminated on leaving the lane.
 * - {@link makeVectorEnv}: N copies with same-step automatic resets (`info.finalObservation`).
 * - {@link makeEnvFromStateMachine}: an env from pure functions over an immutable state.
 * - Fakes for tests under the `@polyak/envs/test` subpath.
 *
 * @example
 * ```ts
 * import { makeEnv, recordEpisodeStatistics, rescaleAction } from '@polyak/envs'
 * import { pipe } from 'fp-ts/lib/function.js'
 *
 * const env = pipe(makeEnv('Pendulum-v1'), recordEpisodeStatistics(), rescaleAction())
 * env.reset({ seed: 0 })
 * const { observation, reward, terminated, truncated } = env.step([0.25])
 * ```
 *
 * @packageDocumentation
 */
export * from './BipedalWalker.js'
export * from './Env.js'
export * from './Frame.js'
export * from './frameSkip.js'
export * from './frameStack.js'
export * from './LaneFollowing.js'
export * from './LunarLander.js'
export * from './MountainCarContinuous.js'
export * from './makeEnvFromStateMachine.js'
export * from './mujoco/index.js'
export * from './normalizeObservation.js'
export * from './Pendulum.js'
export * from './RunningStatistics.js'
export * from './recordEpisodeStatistics.js'
export * from './registry.js'
export * from './rescaleAction.js'
export * from './timeLimit.js'
export * from './VectorEnv.js'
export * from './wrapEnv.js'
