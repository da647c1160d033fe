/**
 * The latent env of the VAE row: LaneFollowing-v0 with each camera image replaced by the frozen VAE's mean latent,
 * so DDPG learns on `[z (latentSize), speed, steering]` instead of 4 098 pixels.
 *
 * @module latentEnv
 */
import { Box } from '@polyak/core'
import {
  type Env,
  envSpec,
  LANE_FOLLOWING_ID,
  LaneFollowingOptionsCodec,
  makeLaneFollowing,
  registerEnv,
  wrapEnv,
} from '@polyak/envs'

/**
 * An image encoder: `count` images of `imageSize` values each (concatenated) to `count` latent vectors of
 * `latentSize` values (concatenated). Pure: the same images give the same latents.
 *
 * @example
 * ```ts
 * const encoder: ImageEncoder = { imageSize: 4096, latentSize: 32, encode: (images, count) => new Float32Array(32 * count) }
 * ```
 */
export interface ImageEncoder {
  readonly imageSize: number
  readonly latentSize: number
  readonly encode: (images: Float32Array, count: number) => Float32Array
}

/**
 * A LaneFollowing-v0 observation `[image, speed, steering]` as `[encode(image), speed, steering]`.
 *
 * @throws RangeError when the observation is not `imageSize + 2` long
 *
 * @example
 * ```ts
 * const latent = latentObservation(encoder, env.reset({ seed: 0 }).observation) // Float32Array(34)
 * ```
 */
export const latentObservation = (encoder: ImageEncoder, observation: Float32Array): Float32Array => {
  const { imageSize, latentSize } = encoder
  if (observation.length !== imageSize + 2) {
    throw new RangeError(
      `latentObservation: expected an observation of ${imageSize} image values + speed + steering, got ${observation.length} values`,
    )
  }
  const out = new Float32Array(latentSize + 2)
  out.set(encoder.encode(observation.subarray(0, imageSize), 1).subarray(0, latentSize))
  out[latentSize] = observation[imageSize] as number
  out[latentSize + 1] = observation[imageSize + 1] as number
  return out
}

/**
 * Wraps a LaneFollowing env so that every observation (of `reset` and `step`) is {@link latentObservation}'s; the
 * observation space is Box(−∞, ∞) for the latent, [0, 1] for the speed and [−1, 1] for the steering. Rewards,
 * termination, info and the action space are the inner env's.
 *
 * @example
 * ```ts
 * const env = latentEnv(makeLaneFollowing(), encoder)
 * env.observationSpace.shape // [34]
 * ```
 */
export const latentEnv = (inner: Env, encoder: ImageEncoder): Env => {
  const { latentSize } = encoder
  const low = new Float32Array(latentSize + 2).fill(Number.NEGATIVE_INFINITY)
  const high = new Float32Array(latentSize + 2).fill(Number.POSITIVE_INFINITY)
  low[latentSize] = 0
  high[latentSize] = 1
  low[latentSize + 1] = -1
  high[latentSize + 1] = 1
  return wrapEnv(inner, {
    observationSpace: Box.box(low, high),
    reset: (options) => {
      const result = inner.reset(options)
      return { ...result, observation: latentObservation(encoder, result.observation) }
    },
    step: (action) => {
      const result = inner.step(action)
      return { ...result, observation: latentObservation(encoder, result.observation) }
    },
  })
}

let registrations = 0

/**
 * Registers a latent LaneFollowing env under a new id (`LaneFollowingLatent-v0#<n>`, one per call, since an
 * encoder holds one VAE's parameters) with LaneFollowing-v0's options and its 1000-step limit, for
 * `runExperiment({ env: id, … })`. The encoder must stay usable while envs of that id are made.
 *
 * @example
 * ```ts
 * const id = registerLatentEnv(encoder)
 * runExperiment({ algo: 'ddpg', env: id, steps: 5_000 })
 * ```
 */
export const registerLatentEnv = (encoder: ImageEncoder): string => {
  registrations++
  const id = `LaneFollowingLatent-v0#${registrations}`
  const { maxEpisodeSteps } = envSpec(LANE_FOLLOWING_ID)
  registerEnv(id, (options) => latentEnv(makeLaneFollowing(options), encoder), {
    ...(maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps }),
    options: LaneFollowingOptionsCodec,
  })
  return id
}
