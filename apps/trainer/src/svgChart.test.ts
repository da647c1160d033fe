import { describe, expect, it } from 'vitest'
import { formatTick, lineChart, niceDomain, niceTicks, stackCharts } from './svgChart.js'

describe('lineChart', () => {
  it('draws one polyline per series with one point per finite input point', () => {
    const svg = lineChart(
      [
        {
          name: 'loss',
          points: [
            [0, 1],
            [1, 0.5],
            [2, Number.NaN],
            [3, 0.25],
          ],
        },
        {
          name: 'target <loss>',
          points: [
            [0, 2],
            [3, 1],
          ],
        },
      ],
      { title: 'Critic & co', xLabel: 'step', yLabel: 'loss' },
    )
    const polylines = [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map(
      (m) => (m[1] as string).split(' ').length,
    )
    expect(polylines).toEqual([3, 2])
    expect(svg).toContain('Critic &amp; co')
    expect(svg).toContain('target &lt;loss&gt;')
    expect(svg.startsWith('<svg')).toBe(true)
  })

  it('maps the extremes of the data onto the plot frame', () => {
    const svg = lineChart(
      [
        {
          name: 'a',
          points: [
            [0, 0],
            [10, 5],
          ],
        },
      ],
      { title: 't', xLabel: 'x', yLabel: 'y', width: 200, height: 120 },
    )
    const points = /points="([^"]*)"/.exec(svg)?.[1]?.split(' ') ?? []
    // left margin 70, right 20, top 60 (title and legend above the plot), bottom 50; [0, 10] × [0, 5] are nice already
    expect(points).toEqual(['70.0,70.0', '180.0,60.0'])
  })

  it('draws a dot per point for a series with markers', () => {
    const svg = lineChart(
      [
        {
          name: 'a',
          points: [
            [0, 0],
            [1, 1],
            [2, 4],
          ],
        },
        {
          name: 'b',
          points: [
            [0, 1],
            [2, 2],
          ],
          markers: true,
        },
      ],
      { title: 't', xLabel: 'x', yLabel: 'y' },
    )
    expect(svg.match(/<circle /g)).toHaveLength(2)
  })
})

describe('niceTicks', () => {
  it('returns round values inside the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(-1600, 0)).toEqual([-1500, -1000, -500, 0])
    for (const v of niceTicks(3.3, 97.1)) expect(v >= 3.3 && v <= 97.1).toBe(true)
  })
})

describe('formatTick', () => {
  it('writes steps in full and tiny or huge values as exponentials', () => {
    expect([15_000, 250_000, -1500, 0.25, 0, 2e7, 1e-4].map(formatTick)).toEqual([
      '15000',
      '250000',
      '-1500',
      '0.25',
      '0',
      '2.0e+7',
      '1.0e-4',
    ])
  })
})

describe('niceDomain', () => {
  it('widens the data range outwards to whole nice steps, so the axes start and end on a tick', () => {
    expect(niceDomain(20, 210)).toEqual([0, 250])
    expect(niceDomain(-1812, -95)).toEqual([-2000, 0])
    expect(niceDomain(0, 15000)).toEqual([0, 15000])
    expect(niceDomain(3, 3)).toEqual([2, 4])
  })
})

describe('stackCharts', () => {
  it('places each chart below the previous one in one SVG', () => {
    const svg = stackCharts([
      { series: [{ name: 'a', points: [[0, 1]] }], options: { title: 'one', xLabel: 'x', yLabel: 'y', height: 300 } },
      { series: [{ name: 'b', points: [[0, 2]] }], options: { title: 'two', xLabel: 'x', yLabel: 'y', height: 200 } },
    ])
    expect(svg).toContain('height="500"')
    expect(svg).toContain('<svg x="0" y="0" ')
    expect(svg).toContain('<svg x="0" y="300" ')
    expect(svg.match(/<polyline/g)).toHaveLength(2)
  })
})
