/** One line of a chart. */
export interface Series {
  readonly name: string
  readonly points: ReadonlyArray<readonly [number, number]>
  /** Also draw a dot at every point (for sparse series such as evaluations). */
  readonly markers?: boolean
}

/** Labels of a chart. */
export interface ChartOptions {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly width?: number
  readonly height?: number
}

/**
 * The series colours, in order.
 *
 * @example
 * ```ts
 * COLORS[0] // '#1f77b4'
 * ```
 */
export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'] as const

/**
 * Text made safe for SVG/XML content and attribute values.
 *
 * @example
 * ```ts
 * escapeXml('a < b & "c"') // 'a &lt; b &amp; &quot;c&quot;'
 * ```
 */
export const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Where a chart's plot area lies in its SVG. */
export interface PlotFrame {
  readonly margin: { readonly left: number; readonly top: number }
  readonly plotW: number
  readonly plotH: number
  /** The whole SVG's height (the x label sits 12 px above its bottom). */
  readonly height: number
}

/**
 * The scales of a plot area and its axes: grid lines with tick labels on round values, the frame, and the axis
 * labels. `coordinate` formats the computed positions (e.g. to one decimal); the default writes them as they are.
 *
 * @example
 * ```ts
 * const frame = { margin: { left: 70, top: 60 }, plotW: 630, plotH: 310, height: 420 }
 * const { sx, sy, elements } = plotAxes(frame, [0, 100], [-1, 1], { xLabel: 'step', yLabel: 'loss' })
 * sx(0) // 70
 * ```
 */
export const plotAxes = (
  frame: PlotFrame,
  [xLow, xHigh]: readonly [number, number],
  [yLow, yHigh]: readonly [number, number],
  labels: { readonly xLabel: string; readonly yLabel: string },
  coordinate: (v: number) => string = String,
): { readonly sx: (x: number) => number; readonly sy: (y: number) => number; readonly elements: string[] } => {
  const { margin, plotW, plotH, height } = frame
  const sx = (x: number) => margin.left + ((x - xLow) / (xHigh - xLow)) * plotW
  const sy = (y: number) => margin.top + plotH - ((y - yLow) / (yHigh - yLow)) * plotH
  const c = coordinate
  const elements = [
    ...niceTicks(xLow, xHigh).map(
      (v) =>
        `<line x1="${c(sx(v))}" x2="${c(sx(v))}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#eee"/><text x="${c(sx(v))}" y="${margin.top + plotH + 16}" text-anchor="middle">${formatTick(v)}</text>`,
    ),
    ...niceTicks(yLow, yHigh).map(
      (v) =>
        `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${c(sy(v))}" y2="${c(sy(v))}" stroke="#eee"/><text x="${margin.left - 6}" y="${c(sy(v) + 4)}" text-anchor="end">${formatTick(v)}</text>`,
    ),
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(labels.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(labels.yLabel)}</text>`,
  ]
  return { sx, sy, elements }
}

/** A round step (1, 2 or 5 times a power of ten) that splits [low, high] into about `count` parts. */
const niceStep = (low: number, high: number, count: number): number => {
  const raw = (high - low) / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  return ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude
}

/** [low, high] widened outwards to whole multiples of a nice step, so the axes start and end on a tick. */
export const niceDomain = (low: number, high: number, count = 5): readonly [number, number] => {
  if (!(high > low)) return [low - 1, low + 1]
  const step = niceStep(low, high, count)
  return [Math.floor(low / step + 1e-9) * step + 0, Math.ceil(high / step - 1e-9) * step + 0] // + 0: no −0
}

/** Round, human-friendly tick values covering [low, high]. */
export const niceTicks = (low: number, high: number, count = 5): readonly number[] => {
  if (!(high > low)) return [low]
  const step = niceStep(low, high, count)
  const ticks: number[] = []
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)))
  return ticks
}

/** A tick label: plain below 10⁷ (environment steps read best in full), exponential beyond and for tiny values. */
export const formatTick = (v: number): string =>
  Math.abs(v) >= 1e7 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(6)))

/**
 * A self-contained SVG line chart (axes, ticks, legend) for learning curves; non-finite points are skipped.
 *
 * @example
 * ```ts
 * writeFileSync('curve.svg', lineChart([{ name: 'loss', points: [[0, 1], [1, 0.5]] }],
 *   { title: 'Critic loss', xLabel: 'step', yLabel: 'loss' }))
 * ```
 */
export const lineChart = (series: readonly Series[], options: ChartOptions): string => {
  const width = options.width ?? 720
  const height = options.height ?? 420
  const margin = { left: 70, right: 20, top: 60, bottom: 50 }
  const finite = series.map((s) => ({
    ...s,
    points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
  }))
  const all = finite.flatMap((s) => s.points)
  const xs = all.map(([x]) => x)
  const ys = all.map(([, y]) => y)
  const [x0, x1] = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [0, 1]
  const [y0, y1] = ys.length > 0 ? [Math.min(...ys), Math.max(...ys)] : [0, 1]
  const [xLow, xHigh] = niceDomain(x0, x1)
  const [yLow, yHigh] = niceDomain(y0, y1)
  const plotW = width - margin.left - margin.right
  const plotH = height - margin.top - margin.bottom
  const axes = plotAxes({ margin, plotW, plotH, height }, [xLow, xHigh], [yLow, yHigh], options)
  const { sx, sy } = axes
  const lines = finite.map((s, i) => {
    const color = COLORS[i % COLORS.length] as string
    const points = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')
    const dots = s.markers
      ? s.points.map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"/>`)
      : []
    return [`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`, ...dots].join('\n')
  })
  // one row between the title and the plot, entries placed one after another (about 7 px per character)
  let legendX = margin.left
  const legend = finite.map((s, i) => {
    const y = margin.top - 16
    const color = COLORS[i % COLORS.length] as string
    const x = legendX
    legendX += 30 + 7 * s.name.length + 16
    return `<line x1="${x}" x2="${x + 20}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"/><text x="${x + 25}" y="${y + 4}">${escapeXml(s.name)}</text>`
  })
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
    ...axes.elements,
    ...lines,
    ...legend,
    '</svg>',
    '',
  ].join('\n')
}

/**
 * Several {@link lineChart}s one above the other in one SVG (each keeps its own y axis; give them the same x label and
 * width to compare runs panel by panel).
 *
 * @example
 * ```ts
 * writeFileSync('curves.svg', stackCharts([
 *   { series: returns, options: { title: 'return', xLabel: 'step', yLabel: 'return' } },
 *   { series: losses, options: { title: 'critic loss', xLabel: 'step', yLabel: 'loss' } },
 * ]))
 * ```
 */
export const stackCharts = (
  charts: ReadonlyArray<{ readonly series: readonly Series[]; readonly options: ChartOptions }>,
): string => {
  let top = 0
  const panels = charts.map(({ series, options }) => {
    const svg = lineChart(series, options).replace('<svg ', `<svg x="0" y="${top}" `)
    top += options.height ?? 420
    return svg
  })
  const width = Math.max(...charts.map(({ options }) => options.width ?? 720), 0)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top}" viewBox="0 0 ${width} ${top}">`,
    `<title>${escapeXml(charts.map(({ options }) => options.title).join('; '))}</title>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n')
}
