/**
 * `@polyak/envs/test`: fakes for other packages' tests.
 *
 * @example
 * ```ts
 * import { makeFakeContinuousEnv } from '@polyak/envs/test'
 *
 * const env = makeFakeContinuousEnv({ actionSize: 2, episodeLength: 1, ending: 'terminated' }) // a bandit
 * ```
 *
 * @packageDocumentation
 */
export * from './makeFakeContinuousEnv.js'
