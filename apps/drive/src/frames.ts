/**
 * Camera frames from random-policy episodes: the VAE's training data, and the sample sheet `frames.png`.
 *
 * @module frames
 */
import { Rng } from '@polyak/core'
import { makeEnv } from '@polyak/envs'
import { episodeSeed } from '@polyak/pipelines'
import { type ByteImage, imageGrid, toBytes, upscale } from './png.js'
import { randomPolicy } from './policies.js'

/**
 * A set of greyscale camera frames stored as bytes (`count` frames of `height × width`, frame i at
 * `data.subarray(i · height · width, …)`, value = round(255 · pixel)): 4 KiB per 64 × 64 frame instead of 16.
 *
 * @example
 * ```ts
 * const { count, data } = collectFrames({ episodes: 10, seed: 1 })
 * ```
 */
export interface FrameSet {
  readonly width: number
  readonly height: number
  readonly count: number
  readonly data: Uint8Array
  /** Random-policy episodes driven and env steps taken to collect them. */
  readonly episodes: number
  readonly steps: number
}

/**
 * Drives `episodes` episodes of LaneFollowing-v0 (the registered env: default options, 1000-step limit) with the
 * random policy and keeps every `every`-th camera image (consecutive frames at 10 Hz are nearly identical), the
 * first of each episode included, up to `maxFrames`. Episode e is reset with `episodeSeed(seed, e)` (the rollout's
 * rule), the random actions come from `Rng.key(seed)`, so the set is a function of its arguments.
 *
 * @example
 * ```ts
 * const frames = collectFrames({ episodes: 100, seed: 1, every: 2, maxFrames: 20_000 })
 * ```
 */
export const collectFrames = (options: {
  readonly episodes: number
  readonly seed: number
  readonly every?: number
  readonly maxFrames?: number
}): FrameSet => {
  const every = options.every ?? 1
  const maxFrames = options.maxFrames ?? Number.POSITIVE_INFINITY
  const env = makeEnv('LaneFollowing-v0')
  const size = (env.observationSpace.shape[0] ?? 2) - 2
  const side = Math.round(Math.sqrt(size))
  const chunks: Uint8Array[] = []
  let count = 0
  let steps = 0
  let episodes = 0
  const policy = randomPolicy(Rng.foldIn(Rng.key(options.seed), 0x5eed))
  const keep = (observation: Float32Array) => {
    chunks.push(toBytes(observation.subarray(0, size)))
    count++
  }
  try {
    for (let e = 0; e < options.episodes && count < maxFrames; e++) {
      let observation = env.reset({ seed: episodeSeed(options.seed, e) }).observation
      episodes++
      for (let i = 0; count < maxFrames; i++) {
        if (i % every === 0) keep(observation)
        const result = env.step(policy(observation))
        steps++
        observation = result.observation
        if (result.terminated || result.truncated) break
      }
    }
  } finally {
    env.close()
  }
  const data = new Uint8Array(count * size)
  chunks.forEach((chunk, i) => {
    data.set(chunk, i * size)
  })
  return { width: side, height: side, count, data, episodes, steps }
}

/**
 * Frame i of a set as a float image in [0, 1] (`height × width` values).
 *
 * @example
 * ```ts
 * const pixels = frameAt(frames, 0) // Float32Array(4096)
 * ```
 */
export const frameAt = (frames: FrameSet, i: number): Float32Array => {
  const size = frames.width * frames.height
  return Float32Array.from(frames.data.subarray(i * size, (i + 1) * size), (v) => v / 255)
}

/**
 * `n` evenly spaced frames of the set as byte images (upscaled by `scale`), for picture sheets.
 *
 * @example
 * ```ts
 * writeFileSync('frames.png', encodePng(imageGrid(sampleFrameImages(frames, 32, 2), { columns: 8 })))
 * ```
 */
export const sampleFrameImages = (frames: FrameSet, n: number, scale = 2): ByteImage[] => {
  const size = frames.width * frames.height
  const picks = Math.min(n, frames.count)
  return Array.from({ length: picks }, (_, k) => {
    const i = Math.floor((k * frames.count) / picks)
    const image: ByteImage = {
      width: frames.width,
      height: frames.height,
      channels: 1,
      data: frames.data.slice(i * size, (i + 1) * size),
    }
    return upscale(image, scale)
  })
}

/**
 * The sheet of sample frames: `n` evenly spaced frames, 8 per row, upscaled ×2.
 *
 * @example
 * ```ts
 * writeFileSync('frames.png', encodePng(frameSheet(frames)))
 * ```
 */
export const frameSheet = (frames: FrameSet, n = 32): ByteImage =>
  imageGrid(sampleFrameImages(frames, n, 2), { columns: 8, gap: 2 })
