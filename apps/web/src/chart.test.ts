import { describe, expect, it } from 'vitest'
import { lineChartSvg } from './chart.js'
import { addMetricsLine, EMPTY_CURVES } from './metrics.js'

describe('addMetricsLine', () => {
  it('picks the return, evaluation and critic-loss points and ignores the rest', () => {
    const lines = [
      '{"step":0,"event":"start"}',
      '{"step":200,"charts/episodic_return":-1200.5,"episode":1}',
      '{"step":1100,"losses/critic":2.5,"losses/actor":-3}',
      '{"step":5000,"eval/mean_return":-873.6,"eval/returns":[-900]}',
      '{"step":5200,"charts/episodic',
      '',
      '[1,2]',
      '{"charts/episodic_return":-1}',
    ]
    expect(lines.reduce(addMetricsLine, EMPTY_CURVES)).toEqual({
      episodeReturn: [[200, -1200.5]],
      evalReturn: [[5000, -873.6]],
      criticLoss: [[1100, 2.5]],
    })
  })
})

describe('lineChartSvg', () => {
  it('says it is waiting when there are no points', () => {
    expect(lineChartSvg([{ label: 'x', color: 'red', points: [] }])).toContain('waiting for data')
  })

  it('draws a path per line series, dots for a dotted one, the ranges and an escaped legend', () => {
    const svg = lineChartSvg(
      [
        {
          label: 'return <train>',
          color: '#36c',
          points: [
            [1000, -800],
            [0, -1200],
          ],
        },
        { label: 'eval', color: '#c00', points: [[500, -1000]], dots: true },
      ],
      { width: 300, height: 200, title: 'return' },
    )
    expect(svg.match(/<path d="M[\d.]+,[\d.]+L/g)).toHaveLength(1) // one line
    expect(svg.match(/<path d="M[\d.]+,[\d.]+l5,5/g)).toHaveLength(1) // one diamond per evaluation
    expect(svg).toContain('return &lt;train&gt; (2)')
    expect(svg).toContain('>-800<')
    expect(svg).toContain('>-1200<')
    expect(svg).toContain('>1000<')
    expect(svg).toContain('>step<') // the x axis's label
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 300 200"/)
    expect(svg).not.toContain('NaN')
  })

  it('puts the legend under the plot, labels the y axis, and draws a log axis in powers of ten', () => {
    const svg = lineChartSvg(
      [
        {
          label: 'critic loss',
          color: '#109618',
          points: [
            [0, 33],
            [2500, 0],
            [5000, 0.23],
          ],
        },
      ],
      { width: 300, height: 240, title: 'critic loss', yLabel: 'loss (log scale)', logY: true },
    )
    expect(svg).toContain('>loss (log scale)<')
    expect(svg).toContain('critic loss (2)') // 0 has no logarithm
    expect(svg).toContain('>1e-1<')
    expect(svg).toContain('>100<')
    const legendY = Number(/<text x="[\d.]+" y="([\d.]+)"[^>]*fill="#109618">critic loss/.exec(svg)?.[1])
    const plotBottom = 24 + Number(/<rect [^>]*height="([\d.]+)"/.exec(svg)?.[1])
    expect(legendY).toBeGreaterThan(plotBottom)
    expect(svg).not.toContain('NaN')
  })
})
