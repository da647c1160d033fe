/**
 * Envs for the worker-actor tests. Imported by the test file (main thread) and, through `setup`, by every worker, so
 * both registries know the ids.
 */
import { PositiveInt, strictObject, withDefaults } from '@polyak/core'
import { registerEnv, wrapEnv } from '@polyak/envs'
import { FakeContinuousEnvOptionsCodec, makeFakeContinuousEnv } from '@polyak/envs/test'

/** The fake env (episodes of 10 steps, 2 actions), options as `makeFakeContinuousEnv`. */
export const FAKE_WORKER_ENV = 'FakeWorker-test-v0'
/** The fake env that throws on its `crashAfter`-th step (counted from its creation). */
export const CRASHING_WORKER_ENV = 'FakeCrashing-test-v0'

registerEnv(FAKE_WORKER_ENV, (options) => makeFakeContinuousEnv(options), { options: FakeContinuousEnvOptionsCodec })
registerEnv(
  CRASHING_WORKER_ENV,
  ({ crashAfter }) => {
    const env = makeFakeContinuousEnv({ episodeLength: 10, actionSize: 2 })
    let steps = 0
    return wrapEnv(env, {
      step: (action) => {
        steps += 1
        if (steps >= crashAfter) throw new Error(`FakeCrashing: planned crash at step ${steps}`)
        return env.step(action)
      },
    })
  },
  { options: withDefaults(strictObject('FakeCrashing options', { crashAfter: PositiveInt }), { crashAfter: 30 }) },
)
