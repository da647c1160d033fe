/**
 * `@polyak/envs/test`: a fake env for other packages' tests, and `checkEnv`, a checker of the `Env` contract for
 * your own envs.
 *
 * @example
 * ```ts
 * import { checkEnv, makeFakeContinuousEnv } from '@polyak/envs/test'
 *
 * const env = makeFakeContinuousEnv({ actionSize: 2, episodeLength: 1, ending: 'terminated' }) // a bandit
 * checkEnv(env) // throws an Error listing the problems, if any
 * ```
 *
 * @packageDocumentation
 */

export * from './checkEnv.js'
export * from './makeFakeContinuousEnv.js'
