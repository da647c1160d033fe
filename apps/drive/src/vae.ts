/**
 * The VAE of the VAE row, on the convolutional VAE of `vaeModel.ts`: trained on the random-policy frames, then frozen
 * as the image encoder of the latent env, and drawn as original/reconstruction pairs.
 *
 * @module vae
 */
import { decodeOrThrow, disposeAdam, type Params, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import type { FrameSet } from './frames.js'
import type { ImageEncoder } from './latentEnv.js'
import { type ByteImage, imageGrid, toBytes, upscale } from './png.js'
import {
  disposeVaeTrainState,
  encodeMean,
  initVaeTrainState,
  reconstructVae,
  type VaeConfig,
  VaeConfigCodec,
  vaeTrainStep,
} from './vaeModel.js'

/**
 * The loss of one VAE step, per image: `total` = `reconstruction` + β · `kl`.
 *
 * @example
 * ```ts
 * const loss: VaeLoss = { step: 0, total: 310.2, reconstruction: 300.1, kl: 10.1 }
 * ```
 */
export interface VaeLoss {
  readonly step: number
  readonly total: number
  readonly reconstruction: number
  readonly kl: number
}

/**
 * A trained VAE: its parameters (owned: free with {@link disposeTrainedVae}), config, losses and training seconds.
 *
 * @example
 * ```ts
 * const trained: TrainedVae = trainVae(frames, options)
 * ```
 */
export interface TrainedVae {
  readonly params: Params
  readonly config: VaeConfig
  readonly losses: readonly VaeLoss[]
  readonly seconds: number
}

/**
 * Options of {@link trainVae}.
 *
 * @example
 * ```ts
 * const options: VaeTrainingOptions = { latentSize: 32, filters: [32, 32, 64, 64], beta: 1, learningRate: 1e-3, batchSize: 64, steps: 1500, key: Rng.key(1) }
 * ```
 */
export interface VaeTrainingOptions {
  readonly latentSize: number
  /** Output channels of the encoder's convolutions (kernel 4, stride 2; the decoder mirrors them). */
  readonly filters: readonly number[]
  readonly beta: number
  readonly learningRate: number
  readonly batchSize: number
  readonly steps: number
  readonly key: Rng.Key
}

/**
 * The frames at `indices` as a float batch `[n, height, width, 1]` in [0, 1].
 *
 * @example
 * ```ts
 * const images = frameBatch(frames, Int32Array.of(0, 5, 9)) // [3, 64, 64, 1]
 * ```
 */
export const frameBatch = (frames: FrameSet, indices: ArrayLike<number>): tf.Tensor4D => {
  const size = frames.width * frames.height
  const values = new Float32Array(indices.length * size)
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number
    const row = frames.data.subarray(i * size, (i + 1) * size)
    for (let j = 0; j < size; j++) values[k * size + j] = (row[j] as number) / 255
  }
  return tf.tensor4d(values, [indices.length, frames.height, frames.width, 1])
}

/**
 * Trains a VAE on a frame set: `steps` Adam steps, each on `batchSize` frames drawn uniformly with replacement (step
 * s from `Rng.foldIn(batchKey, s)`, the reparameterisation noise from `Rng.foldIn(noiseKey, s)`), logging a progress
 * line every `progressEvery` seconds.
 *
 * @example
 * ```ts
 * const options: VaeTrainingOptions = { latentSize: 32, filters: [32, 32, 64, 64], beta: 1, learningRate: 1e-3, batchSize: 64, steps: 1500, key }
 * const trained = trainVae(frames, options, 5, console.log)
 * ```
 */
export const trainVae = (
  frames: FrameSet,
  options: VaeTrainingOptions,
  progressEvery = 0,
  log: (line: string) => void = () => {},
): TrainedVae => {
  const config = decodeOrThrow(
    VaeConfigCodec,
    {
      imageHeight: frames.height,
      imageWidth: frames.width,
      channels: 1,
      latentSize: options.latentSize,
      filters: options.filters,
      kernelSize: 4,
      strides: 2,
      beta: options.beta,
      learningRate: options.learningRate,
      batchSize: options.batchSize,
    },
    'VAE config',
  )
  const [initKey, batchKey, noiseKey] = Rng.split(options.key, 3)
  const update = vaeTrainStep(config)
  let state = initVaeTrainState(config)(initKey)
  const losses: VaeLoss[] = []
  const started = Date.now()
  let lastLine = started
  const line = (step: number) => {
    const recent = losses.slice(-20)
    const avg = (pick: (l: VaeLoss) => number) => recent.reduce((sum, l) => sum + pick(l), 0) / recent.length
    const seconds = (Date.now() - started) / 1000
    log(
      `[vae] step ${step}/${options.steps}  ${(step / Math.max(seconds, 1e-9)).toFixed(1)} steps/s  ` +
        `reconstruction ${avg((l) => l.reconstruction).toFixed(2)}  KL ${avg((l) => l.kl).toFixed(2)}  ${seconds.toFixed(0)} s`,
    )
  }
  for (let step = 0; step < options.steps; step++) {
    const indices = Rng.integers(Rng.foldIn(batchKey, step), config.batchSize, frames.count)
    const images = frameBatch(frames, indices)
    const { state: next, metrics } = update(state, images, Rng.foldIn(noiseKey, step))
    images.dispose()
    disposeVaeTrainState(state)
    state = next
    losses.push({ step, total: metrics.total, reconstruction: metrics.reconstruction, kl: metrics.kl })
    if (progressEvery > 0 && Date.now() - lastLine >= progressEvery * 1000) {
      lastLine = Date.now()
      line(step + 1)
    }
  }
  if (options.steps > 0) line(options.steps)
  const { params } = state
  disposeAdam(state.adam)
  return { params, config, losses, seconds: (Date.now() - started) / 1000 }
}

/**
 * Frees a trained VAE's parameters.
 *
 * @example
 * ```ts
 * disposeTrainedVae(trained)
 * ```
 */
export const disposeTrainedVae = (trained: TrainedVae): void => tf.dispose(Object.values(trained.params))

/**
 * The frozen VAE as an image encoder: images to their mean latents (`encodeMean`), for the latent env.
 *
 * @example
 * ```ts
 * const env = latentEnv(makeLaneFollowing(), vaeImageEncoder(trained))
 * ```
 */
export const vaeImageEncoder = (trained: TrainedVae): ImageEncoder => {
  const { params, config } = trained
  const imageSize = config.imageHeight * config.imageWidth * config.channels
  const encode = encodeMean(config)
  return {
    imageSize,
    latentSize: config.latentSize,
    encode: (images, count) =>
      tf.tidy(() =>
        encode(params, tf.tensor4d(images, [count, config.imageHeight, config.imageWidth, config.channels])).dataSync(),
      ) as Float32Array,
  }
}

/**
 * The VAE's reconstructions (decoded mean latents) of the frames at `indices`, `[n · height · width]` in [0, 1].
 *
 * @example
 * ```ts
 * const pixels = reconstruct(trained, frames, [0, 1])
 * ```
 */
export const reconstruct = (trained: TrainedVae, frames: FrameSet, indices: ArrayLike<number>): Float32Array => {
  const { params, config } = trained
  return tf.tidy(() => reconstructVae(config)(params, frameBatch(frames, indices)).dataSync()) as Float32Array
}

/**
 * The mean squared error per pixel between frames and their reconstructions.
 *
 * @example
 * ```ts
 * reconstructionError(trained, frames, [0, 1, 2]) // e.g. 0.002
 * ```
 */
export const reconstructionError = (trained: TrainedVae, frames: FrameSet, indices: ArrayLike<number>): number => {
  const size = frames.width * frames.height
  const out = reconstruct(trained, frames, indices)
  let sum = 0
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number
    for (let j = 0; j < size; j++)
      sum += ((frames.data[i * size + j] as number) / 255 - (out[k * size + j] as number)) ** 2
  }
  return sum / (indices.length * size)
}

/**
 * Original/reconstruction pairs as one picture: up to `n` evenly spaced frames, 8 per row, each row of originals
 * followed by the row of their reconstructions, upscaled ×2.
 *
 * @example
 * ```ts
 * writeFileSync('reconstructions.png', encodePng(reconstructionSheet(trained, frames, 16)))
 * ```
 */
export const reconstructionSheet = (trained: TrainedVae, frames: FrameSet, n: number): ByteImage => {
  const count = Math.min(n, frames.count)
  const indices = Array.from({ length: count }, (_, k) => Math.floor((k * frames.count) / count))
  const size = frames.width * frames.height
  const decoded = reconstruct(trained, frames, indices)
  const image = (data: Uint8Array): ByteImage =>
    upscale({ width: frames.width, height: frames.height, channels: 1, data }, 2)
  const images: ByteImage[] = []
  const columns = Math.min(8, count)
  const blank = image(new Uint8Array(size).fill(255))
  for (let start = 0; start < count; start += columns) {
    const chunk = indices.slice(start, start + columns)
    const padding = Array.from({ length: columns - chunk.length }, () => blank)
    for (const i of chunk) images.push(image(frames.data.slice(i * size, (i + 1) * size)))
    images.push(...padding)
    chunk.forEach((_, k) => {
      images.push(image(toBytes(decoded.subarray((start + k) * size, (start + k + 1) * size))))
    })
    images.push(...padding)
  }
  return imageGrid(images, { columns, gap: 2 })
}
