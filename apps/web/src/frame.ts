/**
 * The env's RGB frame into a canvas's RGBA pixels.
 *
 * @module frame
 */
import type { Frame } from '@polyak/envs'

/**
 * Copies an RGB frame into RGBA bytes (opaque), e.g. an `ImageData`'s `data` of the same size.
 *
 * @throws RangeError when the sizes differ
 *
 * @example
 * ```ts
 * const image = new ImageData(frame.width, frame.height)
 * frameToRgba(frame, image.data)
 * context.putImageData(image, 0, 0)
 * ```
 */
export const frameToRgba = (frame: Frame, rgba: Uint8ClampedArray | Uint8Array): void => {
  const pixels = frame.width * frame.height
  if (rgba.length !== pixels * 4) {
    throw new RangeError(`frameToRgba: ${rgba.length} bytes for a ${frame.width} × ${frame.height} frame`)
  }
  const rgb = frame.data
  for (let p = 0, i = 0, j = 0; p < pixels; p++, i += 3, j += 4) {
    rgba[j] = rgb[i] ?? 0
    rgba[j + 1] = rgb[i + 1] ?? 0
    rgba[j + 2] = rgb[i + 2] ?? 0
    rgba[j + 3] = 255
  }
}
