/**
 * RGB frames and the few rasterising primitives the envs draw with: a filled circle and a thick line segment. The
 * drawing functions write into a frame that the caller has just made and not yet handed out; a frame returned by
 * `render()` is never written again.
 *
 * Coordinates are in pixels, x to the right and y downwards, (0, 0) the top-left pixel's centre.
 *
 * @module Frame
 */

/**
 * An RGB image: `height` rows of `width` pixels, top row first, 3 bytes per pixel (red, green, blue).
 *
 * @example
 * ```ts
 * const frame: Frame = { width: 2, height: 1, data: Uint8Array.of(255, 0, 0, 0, 0, 255) } // red, blue
 * ```
 */
export interface Frame {
  /** Pixels per row. */
  readonly width: number
  /** Rows. */
  readonly height: number
  /** `width · height · 3` bytes, row-major RGB. */
  readonly data: Uint8Array
}

/**
 * A colour as red, green and blue bytes.
 *
 * @example
 * ```ts
 * const rod: Color = [204, 77, 77]
 * ```
 */
export type Color = readonly [number, number, number]

/**
 * A frame of the given size filled with one colour (white by default).
 *
 * @example
 * ```ts
 * const frame = makeFrame(4, 3) // 4 × 3 white pixels
 * ```
 */
export const makeFrame = (width: number, height: number, background: Color = [255, 255, 255]): Frame => {
  const data = new Uint8Array(width * height * 3)
  for (let i = 0; i < data.length; i += 3) {
    data[i] = background[0]
    data[i + 1] = background[1]
    data[i + 2] = background[2]
  }
  return { width, height, data }
}

/**
 * The colour of pixel (x, y).
 *
 * @throws RangeError when (x, y) lies outside the frame
 *
 * @example
 * ```ts
 * pixelAt(makeFrame(2, 2, [1, 2, 3]), 1, 1) // [1, 2, 3]
 * ```
 */
export const pixelAt = (frame: Frame, x: number, y: number): Color => {
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= frame.width || y >= frame.height) {
    throw new RangeError(`pixelAt: (${x}, ${y}) is outside the ${frame.width} × ${frame.height} frame`)
  }
  const i = (y * frame.width + x) * 3
  return [frame.data[i] ?? 0, frame.data[i + 1] ?? 0, frame.data[i + 2] ?? 0]
}

const setPixel = (frame: Frame, x: number, y: number, color: Color): void => {
  const i = (y * frame.width + x) * 3
  frame.data[i] = color[0]
  frame.data[i + 1] = color[1]
  frame.data[i + 2] = color[2]
}

/** Calls `paint(x, y)` for every pixel of the frame inside the box [x0, x1] × [y0, y1] (clipped to the frame). */
const forEachPixelIn = (
  frame: Frame,
  box: readonly [number, number, number, number],
  paint: (x: number, y: number) => void,
): void => {
  const xStart = Math.max(0, Math.floor(box[0]))
  const xEnd = Math.min(frame.width - 1, Math.ceil(box[2]))
  const yStart = Math.max(0, Math.floor(box[1]))
  const yEnd = Math.min(frame.height - 1, Math.ceil(box[3]))
  for (let y = yStart; y <= yEnd; y++) for (let x = xStart; x <= xEnd; x++) paint(x, y)
}

/**
 * Paints every pixel whose centre lies within `radius` of (cx, cy). Parts outside the frame are skipped.
 *
 * @example
 * ```ts
 * const frame = makeFrame(9, 9)
 * fillCircle(frame, 4, 4, 2, [0, 0, 0]) // a black disc in the middle
 * ```
 */
export const fillCircle = (frame: Frame, cx: number, cy: number, radius: number, color: Color): void => {
  const squared = radius * radius
  forEachPixelIn(frame, [cx - radius, cy - radius, cx + radius, cy + radius], (x, y) => {
    if ((x - cx) ** 2 + (y - cy) ** 2 <= squared) setPixel(frame, x, y, color)
  })
}

/**
 * Paints every pixel whose centre lies within `thickness / 2` of the segment from (x0, y0) to (x1, y1): a line with
 * round caps. Parts outside the frame are skipped.
 *
 * @example
 * ```ts
 * const frame = makeFrame(10, 10)
 * drawSegment(frame, 1, 1, 8, 8, 2, [204, 77, 77]) // a red diagonal
 * ```
 */
export const drawSegment = (
  frame: Frame,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  thickness: number,
  color: Color,
): void => {
  const half = thickness / 2
  const dx = x1 - x0
  const dy = y1 - y0
  const lengthSquared = dx * dx + dy * dy
  const box = [Math.min(x0, x1) - half, Math.min(y0, y1) - half, Math.max(x0, x1) + half, Math.max(y0, y1) + half]
  forEachPixelIn(frame, box as [number, number, number, number], (x, y) => {
    const along = lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((x - x0) * dx + (y - y0) * dy) / lengthSquared))
    const distanceSquared = (x - (x0 + along * dx)) ** 2 + (y - (y0 + along * dy)) ** 2
    if (distanceSquared <= half * half) setPixel(frame, x, y, color)
  })
}

/**
 * A point in pixels, x to the right and y downwards.
 *
 * @example
 * ```ts
 * const corner: PixelPoint = [0, 0] // the top-left pixel's centre
 * ```
 */
export type PixelPoint = readonly [number, number]

/**
 * Fills a simple polygon by scanlines through pixel centres, even-odd rule. Parts outside the frame are skipped;
 * fewer than 3 points draw nothing.
 *
 * @example
 * ```ts
 * const frame = makeFrame(10, 10)
 * fillPolygon(frame, [[1, 1], [8, 1], [1, 8]], [0, 0, 0]) // a black triangle
 * ```
 */
export const fillPolygon = (frame: Frame, points: readonly PixelPoint[], color: Color): void => {
  if (points.length < 3) return
  let minY = Number.POSITIVE_INFINITY
  let maxY = Number.NEGATIVE_INFINITY
  for (const p of points) {
    minY = Math.min(minY, p[1])
    maxY = Math.max(maxY, p[1])
  }
  const yStart = Math.max(0, Math.ceil(minY))
  const yEnd = Math.min(frame.height - 1, Math.floor(maxY))
  const crossings: number[] = []
  for (let y = yStart; y <= yEnd; y++) {
    crossings.length = 0
    for (let i = 0; i < points.length; i++) {
      const [x0, y0] = points[i] as PixelPoint
      const [x1, y1] = points[(i + 1) % points.length] as PixelPoint
      if ((y0 <= y && y < y1) || (y1 <= y && y < y0)) crossings.push(x0 + ((y - y0) / (y1 - y0)) * (x1 - x0))
    }
    crossings.sort((a, b) => a - b)
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const xStart = Math.max(0, Math.ceil(crossings[k] as number))
      const xEnd = Math.min(frame.width - 1, Math.floor(crossings[k + 1] as number))
      for (let x = xStart; x <= xEnd; x++) setPixel(frame, x, y, color)
    }
  }
}

/**
 * Draws the closed outline of a polygon: a {@link drawSegment} of the given thickness (default 1) from each point to
 * the next, and from the last back to the first.
 *
 * @example
 * ```ts
 * const frame = makeFrame(10, 10)
 * outlinePolygon(frame, [[1, 1], [8, 1], [8, 8], [1, 8]], [153, 153, 153]) // a grey square
 * ```
 */
export const outlinePolygon = (frame: Frame, points: readonly PixelPoint[], color: Color, thickness = 1): void => {
  for (let i = 0; i < points.length; i++) {
    const [x0, y0] = points[i] as PixelPoint
    const [x1, y1] = points[(i + 1) % points.length] as PixelPoint
    drawSegment(frame, x0, y0, x1, y1, thickness, color)
  }
}
