/**
 * A small SVG line chart for the live view: a few series against a shared x axis, with the axis ranges and a legend.
 *
 * @module chart
 */
import type { Point } from './metrics.js'

/** One line of the chart. */
export interface Series {
  /** Legend text. */
  readonly label: string
  /** CSS colour. */
  readonly color: string
  /** The points, in any order of x. */
  readonly points: readonly Point[]
  /** Draw dots instead of a line (for sparse series such as evaluations). */
  readonly dots?: boolean
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const formatTick = (value: number): string =>
  Math.abs(value) >= 1000 || value === Math.trunc(value) ? value.toFixed(0) : value.toPrecision(3)

/**
 * The SVG markup of a line chart of `series` in a `width` × `height` box; with no points, an empty frame that says
 * "waiting for data".
 *
 * @example
 * ```ts
 * element.innerHTML = lineChartSvg([{ label: 'return', color: '#36c', points: [[0, -1200], [1000, -800]] }])
 * ```
 */
export const lineChartSvg = (
  series: readonly Series[],
  {
    width = 480,
    height = 220,
    title = '',
  }: { readonly width?: number; readonly height?: number; readonly title?: string } = {},
): string => {
  const left = 56
  const right = 12
  const top = 24
  const bottom = 28
  const all = series.flatMap((s) => s.points)
  const head = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`
  const titleText = `<text x="${left}" y="16" font-size="13" font-weight="bold">${escapeXml(title)}</text>`
  const frame = `<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="none" stroke="#999"/>`
  if (all.length === 0) {
    const waiting = `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="12" fill="#777">waiting for data</text>`
    return `${head}${titleText}${frame}${waiting}</svg>`
  }
  const xs = all.map((p) => p[0])
  const ys = all.map((p) => p[1])
  const x0 = Math.min(...xs)
  const x1 = Math.max(...xs)
  const y0 = Math.min(...ys)
  const y1 = Math.max(...ys)
  const xSpan = x1 > x0 ? x1 - x0 : 1
  const ySpan = y1 > y0 ? y1 - y0 : 1
  const px = (x: number): number => left + ((x - x0) / xSpan) * (width - left - right)
  const py = (y: number): number => height - bottom - ((y - y0) / ySpan) * (height - top - bottom)
  const lines = series
    .filter((s) => s.points.length > 0)
    .map((s) => {
      const sorted = [...s.points].sort((a, b) => a[0] - b[0])
      if (s.dots === true) {
        return sorted
          .map((p) => `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`)
          .join('')
      }
      const d = sorted.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join('')
      return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`
    })
    .join('')
  const axes = [
    `<text x="${left - 4}" y="${top + 4}" text-anchor="end" font-size="11">${formatTick(y1)}</text>`,
    `<text x="${left - 4}" y="${height - bottom}" text-anchor="end" font-size="11">${formatTick(y0)}</text>`,
    `<text x="${left}" y="${height - 10}" font-size="11">${formatTick(x0)}</text>`,
    `<text x="${width - right}" y="${height - 10}" text-anchor="end" font-size="11">step ${formatTick(x1)}</text>`,
  ].join('')
  const legend = series
    .map(
      (s, i) =>
        `<text x="${width - right - 4}" y="${top + 14 + 14 * i}" text-anchor="end" font-size="11" fill="${s.color}">${escapeXml(s.label)} (${s.points.length})</text>`,
    )
    .join('')
  return `${head}${titleText}${frame}${lines}${axes}${legend}</svg>`
}
