import { describe, expect, it } from 'vitest'
import { lineChart, niceTicks } from './svgChart.js'

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
      { title: 't', xLabel: 'x', yLabel: 'y', width: 200, height: 100 },
    )
    const points = /points="([^"]*)"/.exec(svg)?.[1]?.split(' ') ?? []
    // left margin 70, right 20, top 40, bottom 50
    expect(points).toEqual(['70.0,50.0', '180.0,40.0'])
  })
})

describe('niceTicks', () => {
  it('returns round values inside the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(-1600, 0)).toEqual([-1500, -1000, -500, 0])
    for (const v of niceTicks(3.3, 97.1)) expect(v >= 3.3 && v <= 97.1).toBe(true)
  })
})
