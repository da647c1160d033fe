/**
 * Random-shift image augmentation of replay batches (DrQ: Kostrikov, Yarats and Fergus, 2020,
 * [arXiv:2004.13649](https://arxiv.org/abs/2004.13649); DrQ-v2: Yarats et al., 2021,
 * [arXiv:2107.09645](https://arxiv.org/abs/2107.09645)).
 *
 * @module randomShift
 */
import { type Batch, Rng } from '@polyak/core'
import { map, type OperatorFunction } from 'rxjs'

/**
 * Options of {@link randomShift}.
 *
 * @example
 * ```ts
 * const options: RandomShiftOptions = { image: [64, 64, 1], pad: 4 }
 * ```
 */
export interface RandomShiftOptions {
  /** `[height, width, channels]` of the image each observation starts with (row-major HWC, as the pixel networks read it). */
  readonly image: readonly [number, number, number]
  /** The largest shift in pixels, each way along each axis (DrQ: 4 for 84 × 84 images). */
  readonly pad: number
}

/** What {@link randomShift} returns: a pure batch transformation drawing with an explicit key. */
export type BatchAugmentation = (batch: Batch, key: Rng.Key) => Batch

/**
 * Shifts one image by (`dy`, `dx`) pixels with edge replication: output pixel (y, x) is input pixel
 * (clamp(y + dy), clamp(x + dx)), i.e. a crop of the image padded by repeating its border, as DrQ's pad-and-crop.
 */
const shiftImage = (
  source: Float32Array,
  target: Float32Array,
  offset: number,
  height: number,
  width: number,
  channels: number,
  dy: number,
  dx: number,
): void => {
  const row = width * channels
  for (let y = 0; y < height; y++) {
    const sy = Math.min(height - 1, Math.max(0, y + dy))
    const targetRow = offset + y * row
    const sourceRow = offset + sy * row
    for (let x = 0; x < width; x++) {
      const sx = Math.min(width - 1, Math.max(0, x + dx))
      const t = targetRow + x * channels
      const s = sourceRow + sx * channels
      for (let c = 0; c < channels; c++) target[t + c] = source[s + c] as number
    }
  }
}

/**
 * DrQ's image augmentation as a pure function of a batch and a key: every observation and every next observation
 * gets its own random shift of its image by up to `pad` pixels along each axis (uniform over the
 * (2·pad + 1)² integer shifts, border pixels repeated), which regularises the critic of a pixel-based agent without
 * changing what the image shows. The values after the image (speed, steering, …), the actions, rewards, flags,
 * discounts, weights and indices are the batch's own. The same key gives the same batch.
 *
 * @throws when `pad` is not an integer ≥ 0, or the image is larger than the observations
 * @example
 * ```ts
 * const shift = randomShift({ image: [64, 64, 1], pad: 4 })
 * // batches$.pipe(augmentBatches(shift, { key: Rng.key(7) }))
 * ```
 */
export const randomShift = (options: RandomShiftOptions): BatchAugmentation => {
  const [height, width, channels] = options.image
  const { pad } = options
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`randomShift: pad must be an integer >= 0, got ${pad}`)
  for (const [name, n] of [
    ['height', height],
    ['width', width],
    ['channels', channels],
  ] as const) {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`randomShift: image ${name} must be an integer >= 1, got ${n}`)
  }
  const pixels = height * width * channels
  return (batch, key) => {
    if (batch.observationSize < pixels) {
      throw new RangeError(
        `randomShift: the image [${height}, ${width}, ${channels}] has ${pixels} values, more than the ` +
          `observation's ${batch.observationSize}`,
      )
    }
    if (pad === 0) return batch
    const shifts = Rng.integers(key, 4 * batch.size, 2 * pad + 1)
    const shifted = (source: Float32Array, first: number): Float32Array => {
      const target = source.slice()
      for (let i = 0; i < batch.size; i++) {
        const dy = (shifts[first + 2 * i] as number) - pad
        const dx = (shifts[first + 2 * i + 1] as number) - pad
        shiftImage(source, target, i * batch.observationSize, height, width, channels, dy, dx)
      }
      return target
    }
    return {
      ...batch,
      observations: shifted(batch.observations, 0),
      nextObservations: shifted(batch.nextObservations, 2 * batch.size),
    }
  }
}

/**
 * Options of {@link augmentBatches}.
 *
 * @example
 * ```ts
 * const options: AugmentBatchesOptions = { key: Rng.key(7), first: 0 }
 * ```
 */
export interface AugmentBatchesOptions {
  /** Batch `i` of the stream is augmented with `Rng.foldIn(key, first + i)`. */
  readonly key: Rng.Key
  /** The index of the stream's first batch (default 0): a resumed run passes the learner steps already taken, so
   * that it draws what the uninterrupted run would have drawn. */
  readonly first?: number
}

/**
 * The augmentation as an operator on the batches that leave the replay for the learner: batch `i` becomes
 * `augment(batch, Rng.foldIn(key, first + i))`. Unsubscribing unsubscribes from the batches; nothing is held.
 *
 * @example
 * ```ts
 * const shift = randomShift({ image: [64, 64, 1], pad: 4 })
 * // transitions$.pipe(remember(replay), augmentBatches(shift, { key: keys.augment }), learn(options))
 * ```
 */
export const augmentBatches =
  (augment: BatchAugmentation, options: AugmentBatchesOptions): OperatorFunction<Batch, Batch> =>
  (batches$) => {
    const first = options.first ?? 0
    return batches$.pipe(map((batch, i) => augment(batch, Rng.foldIn(options.key, first + i))))
  }
