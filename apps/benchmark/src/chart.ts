/**
 * The benchmark's SVG: mean learning curves with a shaded band each, a horizontal threshold line and reference
 * markers, the legend to the right of the plot (never over the data). Axes and ticks as in the trainer's charts
 * (`@polyak/trainer/svgChart`'s nice domains and tick labels).
 *
 * @module chart
 */
import { COLORS, escapeXml, niceDomain, plotAxes } from '@polyak/trainer/svgChart'
import type { BandPoint } from './stats.js'

/**
 * One curve of the chart: its mean line and its band (`min`–`max` of each point) in one colour.
 *
 * @example
 * ```ts
 * const curve: BandCurve = { name: 'TD3', points: [{ step: 200, mean: -1200, min: -1300, max: -1100 }] }
 * ```
 */
export interface BandCurve {
  readonly name: string
  readonly points: readonly BandPoint[]
}

/**
 * A marker at `[x, y]` in the colour of curve `curve` (its index), e.g. a reference run's steps to the threshold.
 *
 * @example
 * ```ts
 * const marker: Marker = { curve: 1, x: 7_800, y: -200, label: 'CleanRL TD3 seed 1' }
 * ```
 */
export interface Marker {
  readonly curve: number
  readonly x: number
  readonly y: number
  /** The marker's tooltip. */
  readonly label: string
}

/**
 * Labels and extras of {@link bandChart}.
 *
 * @example
 * ```ts
 * const options: BandChartOptions = { title: 'Pendulum-v1', xLabel: 'step', yLabel: 'return', bandLabel: 'min–max' }
 * ```
 */
export interface BandChartOptions {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  /** The legend entry of the shaded bands, saying what they span. */
  readonly bandLabel: string
  /** A dashed horizontal line. */
  readonly threshold?: { readonly y: number; readonly label: string }
  readonly markers?: readonly Marker[]
  /** The legend entry of the markers. */
  readonly markerLabel?: string
  readonly width?: number
  readonly height?: number
}

const colorOf = (i: number): string => COLORS[i % COLORS.length] as string

const num = (v: number): string => v.toFixed(1)

/** A diamond path centred on `[x, y]`. */
const diamond = (x: number, y: number, r: number): string =>
  `M${num(x)},${num(y - r)} L${num(x + r)},${num(y)} L${num(x)},${num(y + r)} L${num(x - r)},${num(y)} Z`

/**
 * A self-contained SVG: per curve a mean line (`<polyline class="curve">`) over a shaded band
 * (`<polygon class="band">`), the threshold as a dashed line, the markers as diamonds (`<path class="marker">`), and
 * a legend right of the plot. Points with a non-finite value are left out.
 *
 * @example
 * ```ts
 * const svg = bandChart([{ name: 'TD3', points: [{ step: 0, mean: -1200, min: -1300, max: -1100 }] }], {
 *   title: 'Pendulum-v1', xLabel: 'environment step', yLabel: 'episodic return', bandLabel: 'min–max over seeds',
 *   threshold: { y: -200, label: '−200' },
 * })
 * ```
 */
export const bandChart = (curves: readonly BandCurve[], options: BandChartOptions): string => {
  const width = options.width ?? 980
  const height = options.height ?? 480
  const margin = { left: 70, right: 310, top: 50, bottom: 50 }
  const plotW = width - margin.left - margin.right
  const plotH = height - margin.top - margin.bottom
  const finite = curves.map((c) => ({
    ...c,
    points: c.points.filter((p) => [p.step, p.mean, p.min, p.max].every(Number.isFinite)),
  }))
  const markers = (options.markers ?? []).filter((m) => Number.isFinite(m.x) && Number.isFinite(m.y))
  const xs = [0, ...finite.flatMap((c) => c.points.map((p) => p.step)), ...markers.map((m) => m.x)]
  const ys = [
    ...finite.flatMap((c) => c.points.flatMap((p) => [p.min, p.max])),
    ...markers.map((m) => m.y),
    ...(options.threshold === undefined ? [] : [options.threshold.y]),
  ]
  const [xLow, xHigh] = niceDomain(Math.min(...xs), Math.max(...xs))
  const [yLow, yHigh] = ys.length > 0 ? niceDomain(Math.min(...ys), Math.max(...ys)) : [0, 1]
  const axes = plotAxes({ margin, plotW, plotH, height }, [xLow, xHigh], [yLow, yHigh], options, num)
  const { sx, sy } = axes

  const bands = finite.map((c, i) => {
    const upper = c.points.map((p) => `${num(sx(p.step))},${num(sy(p.max))}`)
    const lower = c.points.map((p) => `${num(sx(p.step))},${num(sy(p.min))}`).reverse()
    return `<polygon class="band" data-name="${escapeXml(c.name)}" fill="${colorOf(i)}" fill-opacity="0.15" stroke="none" points="${[...upper, ...lower].join(' ')}"/>`
  })
  const lines = finite.map((c, i) => {
    const points = c.points.map((p) => `${num(sx(p.step))},${num(sy(p.mean))}`).join(' ')
    return `<polyline class="curve" data-name="${escapeXml(c.name)}" fill="none" stroke="${colorOf(i)}" stroke-width="2" points="${points}"/>`
  })
  const threshold =
    options.threshold === undefined
      ? []
      : [
          `<line class="threshold" x1="${margin.left}" x2="${margin.left + plotW}" y1="${num(sy(options.threshold.y))}" y2="${num(sy(options.threshold.y))}" stroke="#555" stroke-width="1.2" stroke-dasharray="6 4"/>`,
        ]
  const markerPaths = markers.map(
    (m) =>
      `<path class="marker" d="${diamond(sx(m.x), sy(m.y), 6)}" fill="${colorOf(m.curve)}" stroke="black" stroke-width="1"><title>${escapeXml(m.label)}</title></path>`,
  )

  // the legend, one entry a row, right of the plot
  const legendX = margin.left + plotW + 16
  let row = 0
  const nextY = () => margin.top + 12 + 22 * row++
  const legend: string[] = []
  finite.forEach((c, i) => {
    const y = nextY()
    legend.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${y}" y2="${y}" stroke="${colorOf(i)}" stroke-width="2"/>`,
      `<text x="${legendX + 30}" y="${y + 4}">${escapeXml(c.name)}</text>`,
    )
  })
  {
    const y = nextY()
    legend.push(
      `<rect x="${legendX}" y="${y - 6}" width="24" height="12" fill="#888" fill-opacity="0.3"/>`,
      `<text x="${legendX + 30}" y="${y + 4}">${escapeXml(options.bandLabel)}</text>`,
    )
  }
  if (options.threshold !== undefined) {
    const y = nextY()
    legend.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${y}" y2="${y}" stroke="#555" stroke-width="1.2" stroke-dasharray="6 4"/>`,
      `<text x="${legendX + 30}" y="${y + 4}">${escapeXml(options.threshold.label)}</text>`,
    )
  }
  if (markers.length > 0 && options.markerLabel !== undefined) {
    const y = nextY()
    legend.push(
      `<path d="${diamond(legendX + 12, y, 6)}" fill="#888" stroke="black" stroke-width="1"/>`,
      `<text x="${legendX + 30}" y="${y + 4}">${escapeXml(options.markerLabel)}</text>`,
    )
  }

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(options.title)}</title>`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${margin.left + plotW / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
    ...axes.elements,
    ...bands,
    ...threshold,
    ...lines,
    ...markerPaths,
    ...legend,
    '</svg>',
    '',
  ].join('\n')
}
