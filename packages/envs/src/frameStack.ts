import type { BoxSpec } from '@polyak/core'
import type { Env } from './Env.js'
import { wrapEnv } from './wrapEnv.js'

/**
 * Options of {@link frameStack}.
 *
 * @example
 * ```ts
 * const options: FrameStackOptions = { image: [64, 64, 1], frames: 3 }
 * ```
 */
export interface FrameStackOptions {
  /** `[height, width, channels]` of the image each observation of the inner env starts with (row-major HWC). */
  readonly image: readonly [number, number, number]
  /** How many of the latest images to stack (1: the env unchanged). */
  readonly frames: number
}

/**
 * Frame stacking for motion (as DQN and DrQ): the observation starts with the last `frames` images stacked on the
 * channel axis, an `[height, width, channels · frames]` HWC image whose channels at each pixel run from the oldest
 * image to the newest, followed by the rest of the newest observation (speed, steering, …). A reset fills the stack
 * with copies of the first image, so every observation has the same size. The observation space repeats the image
 * bounds per frame.
 *
 * @throws RangeError at once when `frames` is not a positive integer, a dimension of the image is not, or the image
 *   does not fit in the env's observations
 * @example
 * ```ts
 * const env = frameStack({ image: [64, 64, 1], frames: 3 })(makeEnv('LaneFollowing-v0'))
 * env.reset({ seed: 0 }).observation.length // 64 · 64 · 3 + 2
 * ```
 */
export const frameStack =
  (options: FrameStackOptions) =>
  (env: Env): Env => {
    const { frames } = options
    const [height, width, channels] = options.image
    for (const [name, n] of [
      ['frames', frames],
      ['image height', height],
      ['image width', width],
      ['image channels', channels],
    ] as const) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`frameStack: ${name} must be an integer >= 1, got ${n}`)
    }
    const inner = env.observationSpace
    const innerSize = inner.low.length
    const pixels = height * width
    const imageSize = pixels * channels
    if (imageSize > innerSize) {
      throw new RangeError(
        `frameStack: the image [${height}, ${width}, ${channels}] has ${imageSize} values, more than ${env.id}'s ` +
          `observation (${innerSize})`,
      )
    }
    if (frames === 1) return env
    const extras = innerSize - imageSize
    const stackedSize = imageSize * frames + extras
    /** Interleaves `images` (oldest first) per pixel and appends the extras of `latest`. */
    const stack = <O extends { [i: number]: number }>(
      images: readonly ArrayLike<number>[],
      latest: ArrayLike<number>,
      out: O,
    ): O => {
      for (let p = 0; p < pixels; p++) {
        for (let f = 0; f < frames; f++) {
          const image = images[f] as ArrayLike<number>
          const target = (p * frames + f) * channels
          const source = p * channels
          for (let c = 0; c < channels; c++) out[target + c] = image[source + c] as number
        }
      }
      for (let e = 0; e < extras; e++) out[imageSize * frames + e] = latest[imageSize + e] as number
      return out
    }
    const bounds = (values: readonly number[]): number[] =>
      stack(Array<readonly number[]>(frames).fill(values), values, Array<number>(stackedSize).fill(0))
    const observationSpace: BoxSpec = {
      shape: [stackedSize],
      low: bounds(inner.low),
      high: bounds(inner.high),
    }
    // the latest `frames` images, oldest first; each a copy, so the inner env's arrays are never kept
    let history: Float32Array[] = []
    const observe = (observation: Float32Array): Float32Array =>
      stack(history, observation, new Float32Array(stackedSize))
    return wrapEnv(env, {
      observationSpace,
      reset: (resetOptions) => {
        const result = env.reset(resetOptions)
        const first = result.observation.slice(0, imageSize)
        history = Array.from({ length: frames }, () => first)
        return { ...result, observation: observe(result.observation) }
      },
      step: (action) => {
        const result = env.step(action)
        history = [...history.slice(1), result.observation.slice(0, imageSize)]
        return { ...result, observation: observe(result.observation) }
      },
    })
  }
