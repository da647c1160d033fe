import { Box } from '@polyak/core'
import { checkAction, type Env } from './Env.js'
import { wrapEnv } from './wrapEnv.js'

/**
 * Gymnasium's `RescaleAction` to [−1, 1]: the wrapped env takes actions in Box(−1, 1) of the same shape and maps
 * them affinely onto the env's bounds (−1 gives `low`, 1 gives `high`, as float32). Actions outside [−1, 1] map
 * outside the bounds and are not clipped here: the env clips (and MountainCar's penalty sees the unclipped value),
 * as in Gymnasium. This is how a tanh actor drives any bounded env.
 *
 * @throws RangeError at once when the env's action space is unbounded; on `step`, RangeError naming the env for a
 *   wrong length or a non-finite value
 *
 * @example
 * ```ts
 * const env = rescaleAction()(makePendulum()) // actions in [−1, 1] instead of [−2, 2]
 * env.reset({ seed: 0 })
 * env.step([0.5]) // applies torque 1
 * ```
 */
export const rescaleAction =
  () =>
  (env: Env): Env => {
    if (!Box.isBounded(env.actionSpace)) {
      throw new RangeError(
        `${env.id}: rescaleAction needs a bounded action space, got ${JSON.stringify(env.actionSpace)}`,
      )
    }
    const toEnvAction = Box.scaleFromUnit(env.actionSpace)
    const actionSpace = Box.box(-1, 1, env.actionSpace.shape)
    return wrapEnv(env, {
      actionSpace,
      step: (action) => {
        checkAction(env.id, actionSpace, action)
        return env.step(toEnvAction(action))
      },
    })
  }
