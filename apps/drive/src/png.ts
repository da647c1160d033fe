/**
 * A small PNG encoder (8-bit greyscale or RGB, no interlace, filter 0 on every row) on `node:zlib`'s deflate and a
 * CRC-32 table, and the image helpers the app draws its pictures with: float images in [0, 1] to bytes, nearest-
 * neighbour upscaling and grids of equally sized images.
 *
 * @module png
 */
import { deflateSync } from 'node:zlib'

/**
 * An 8-bit image: `height` rows of `width` pixels, top row first, `channels` bytes per pixel (1 grey, 3 RGB).
 *
 * @example
 * ```ts
 * const image: ByteImage = { width: 2, height: 1, channels: 1, data: Uint8Array.of(0, 255) }
 * ```
 */
export interface ByteImage {
  readonly width: number
  readonly height: number
  readonly channels: 1 | 3
  readonly data: Uint8Array
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/**
 * CRC-32 (ISO-HDLC, the one of PNG and zlib's `crc32`) of the bytes.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')) // 0xcbf43926
 * ```
 */
export const crc32 = (bytes: Uint8Array): number => {
  let c = 0xffffffff
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const chunk = (type: string, data: Uint8Array): Buffer => {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  out.set(data, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)

/**
 * Encodes an image as a PNG file: signature, `IHDR` (bit depth 8, colour type 0 grey or 2 RGB), one `IDAT` (the rows,
 * each prefixed by filter byte 0, deflated) and `IEND`.
 *
 * @throws RangeError when the size is not positive or `data` does not hold width × height × channels bytes
 *
 * @example
 * ```ts
 * writeFileSync('dot.png', encodePng({ width: 1, height: 1, channels: 1, data: Uint8Array.of(128) }))
 * ```
 */
export const encodePng = (image: ByteImage): Buffer => {
  const { width, height, channels, data } = image
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`encodePng: expected a positive integer size, got ${width} × ${height}`)
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `encodePng: expected ${width} × ${height} × ${channels} = ${width * height * channels} bytes, got ${data.length}`,
    )
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = channels === 1 ? 0 : 2 // colour type: grey or RGB
  header[10] = 0 // deflate
  header[11] = 0 // adaptive filtering (every row uses filter 0)
  header[12] = 0 // no interlace
  const stride = width * channels
  const raw = new Uint8Array(height * (stride + 1))
  for (let row = 0; row < height; row++)
    raw.set(data.subarray(row * stride, (row + 1) * stride), row * (stride + 1) + 1)
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ])
}

/**
 * A float image in [0, 1] (clipped) as bytes, `round(255 · v)`.
 *
 * @example
 * ```ts
 * toBytes(Float32Array.of(0, 0.5, 1)) // Uint8Array [0, 128, 255]
 * ```
 */
export const toBytes = (values: ArrayLike<number>): Uint8Array => {
  const out = new Uint8Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, values[i] ?? 0)) * 255)
  return out
}

/**
 * Nearest-neighbour upscaling by an integer factor (64 × 64 camera images are small to look at).
 *
 * @example
 * ```ts
 * upscale({ width: 1, height: 1, channels: 1, data: Uint8Array.of(7) }, 2).data // [7, 7, 7, 7]
 * ```
 */
export const upscale = (image: ByteImage, factor: number): ByteImage => {
  if (factor === 1) return image
  const { width, height, channels, data } = image
  const out = new Uint8Array(width * factor * height * factor * channels)
  for (let y = 0; y < height * factor; y++) {
    for (let x = 0; x < width * factor; x++) {
      const from = (Math.floor(y / factor) * width + Math.floor(x / factor)) * channels
      const to = (y * width * factor + x) * channels
      for (let c = 0; c < channels; c++) out[to + c] = data[from + c] as number
    }
  }
  return { width: width * factor, height: height * factor, channels, data: out }
}

/**
 * Lays equally sized images out in a grid, `columns` per row, left to right then top to bottom, separated and
 * framed by `gap` pixels of `background` (grey level 0–255); missing cells of the last row stay background.
 *
 * @throws RangeError when the list is empty or the images differ in size or channels
 *
 * @example
 * ```ts
 * const sheet = imageGrid(frames, { columns: 8, gap: 2 })
 * writeFileSync('frames.png', encodePng(sheet))
 * ```
 */
export const imageGrid = (
  images: readonly ByteImage[],
  options: { readonly columns: number; readonly gap?: number; readonly background?: number },
): ByteImage => {
  const first = images[0]
  if (first === undefined) throw new RangeError('imageGrid: no images')
  const { width, height, channels } = first
  for (const image of images) {
    if (image.width !== width || image.height !== height || image.channels !== channels) {
      throw new RangeError(
        `imageGrid: every image must be ${width} × ${height} × ${channels}, got ${image.width} × ${image.height} × ${image.channels}`,
      )
    }
  }
  const gap = options.gap ?? 2
  const columns = Math.max(1, Math.min(options.columns, images.length))
  const rows = Math.ceil(images.length / columns)
  const gridWidth = columns * width + (columns + 1) * gap
  const gridHeight = rows * height + (rows + 1) * gap
  const data = new Uint8Array(gridWidth * gridHeight * channels).fill(options.background ?? 255)
  images.forEach((image, i) => {
    const left = gap + (i % columns) * (width + gap)
    const top = gap + Math.floor(i / columns) * (height + gap)
    for (let y = 0; y < height; y++) {
      const from = y * width * channels
      data.set(image.data.subarray(from, from + width * channels), ((top + y) * gridWidth + left) * channels)
    }
  })
  return { width: gridWidth, height: gridHeight, channels, data }
}
