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
 * The options of {@link lineChartSvg}.
 *
 * @example
 * ```ts
 * const options: ChartOptions = { title: 'critic loss', xLabel: 'environment step', yLabel: 'loss', logY: true }
 * ```
 */
export interface ChartOptions {
  readonly width?: number
  readonly height?: number
  readonly title?: string
  /** The x axis's label (default `step`). */
  readonly xLabel?: string
  /** The y axis's label, written along the axis. */
  readonly yLabel?: string
  /** A log₁₀ y axis (for losses); values ≤ 0 are left out. */
  readonly logY?: boolean
}

/**
 * A line chart as an SVG string: labelled axes with ticks at both ends of each range (powers of ten on a log axis),
 * lines for series, diamonds with an outline for `dots` series (evaluations), and the legend in a row under the
 * plot, off the data.
 *
 * @example
 * ```ts
 * const svg = lineChartSvg([{ label: 'critic loss', color: '#109618', points: [[0, 33], [5000, 0.23]] }], {
 *   title: 'critic loss', yLabel: 'loss (log scale)', logY: true,
 * })
 * ```
 */
export const lineChartSvg = (series: readonly Series[], options: ChartOptions = {}): string => {
  const { width = 480, height = 240, title = '', xLabel = 'step', yLabel = '', logY = false } = options
  const left = 64
  const right = 12
  const top = 24
  const bottom = 56
  const usable = (p: Point): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!logY || p[1] > 0)
  const shown = series.map((s) => ({ ...s, points: s.points.filter(usable) }))
  const all = shown.flatMap((s) => s.points)
  const head = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`
  const titleText = `<text x="${left}" y="16" font-size="13" font-weight="bold">${escapeXml(title)}</text>`
  const plotBottom = height - bottom
  const frame = `<rect x="${left}" y="${top}" width="${width - left - right}" height="${plotBottom - top}" fill="none" stroke="#999"/>`
  const labels = [
    `<text x="${(left + width - right) / 2}" y="${plotBottom + 28}" text-anchor="middle" font-size="11" fill="#444">${escapeXml(xLabel)}</text>`,
    `<text x="14" y="${(top + plotBottom) / 2}" text-anchor="middle" font-size="11" fill="#444" transform="rotate(-90 14 ${(top + plotBottom) / 2})">${escapeXml(yLabel)}</text>`,
  ].join('')
  const legend = shown
    .map((s, i) => {
      const x = left + 150 * i
      const y = height - 8
      const mark =
        s.dots === true
          ? `<path d="M${x + 6},${y - 9}l4,4l-4,4l-4,-4z" fill="${s.color}" stroke="#fff"/>`
          : `<line x1="${x}" y1="${y - 4}" x2="${x + 12}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"/>`
      return `${mark}<text x="${x + 16}" y="${y}" font-size="11" fill="${s.color}">${escapeXml(s.label)} (${s.points.length})</text>`
    })
    .join('')
  if (all.length === 0) {
    const waiting = `<text x="${width / 2}" y="${(top + plotBottom) / 2}" text-anchor="middle" font-size="12" fill="#777">waiting for data</text>`
    return `${head}${titleText}${frame}${waiting}${labels}${legend}</svg>`
  }
  const ty = (y: number): number => (logY ? Math.log10(y) : y)
  const xs = all.map((p) => p[0])
  const ys = all.map((p) => ty(p[1]))
  const x0 = Math.min(...xs)
  const x1 = Math.max(...xs)
  const y0 = logY ? Math.floor(Math.min(...ys)) : Math.min(...ys)
  const y1 = logY ? Math.max(Math.ceil(Math.max(...ys)), y0 + 1) : Math.max(...ys)
  const xSpan = x1 > x0 ? x1 - x0 : 1
  const ySpan = y1 > y0 ? y1 - y0 : 1
  const px = (x: number): number => left + ((x - x0) / xSpan) * (width - left - right)
  const py = (y: number): number => plotBottom - ((ty(y) - y0) / ySpan) * (plotBottom - top)
  const lines = shown
    .filter((s) => s.points.length > 0)
    .map((s) => {
      const sorted = [...s.points].sort((a, b) => a[0] - b[0])
      if (s.dots === true) {
        return sorted
          .map((p) => {
            const [cx, cy] = [px(p[0]), py(p[1])]
            return `<path d="M${cx.toFixed(1)},${(cy - 5).toFixed(1)}l5,5l-5,5l-5,-5z" fill="${s.color}" stroke="#fff" stroke-width="1"/>`
          })
          .join('')
      }
      const d = sorted.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join('')
      return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`
    })
    .join('')
  const yTicks = logY
    ? Array.from({ length: y1 - y0 + 1 }, (_, k) => y0 + k)
        .filter((e, _, all) => all.length <= 6 || (e - y0) % Math.ceil(all.length / 6) === 0 || e === y1)
        .map((e) => [10 ** e, e >= 0 && e < 4 ? String(10 ** e) : `1e${e}`] as const)
    : ([
        [y1, formatTick(y1)],
        [y0, formatTick(y0)],
      ] as const)
  const axes = [
    ...yTicks.map(
      ([value, text]) =>
        `<text x="${left - 4}" y="${(py(value) + 4).toFixed(1)}" text-anchor="end" font-size="11">${text}</text>`,
    ),
    `<text x="${left}" y="${plotBottom + 14}" font-size="11">${formatTick(x0)}</text>`,
    `<text x="${width - right}" y="${plotBottom + 14}" text-anchor="end" font-size="11">${formatTick(x1)}</text>`,
  ].join('')
  return `${head}${titleText}${frame}${lines}${axes}${labels}${legend}</svg>`
}
