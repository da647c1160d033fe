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
    expect(svg.match(/<path /g)).toHaveLength(1)
    expect(svg.match(/<circle /g)).toHaveLength(1)
    expect(svg).toContain('return &lt;train&gt; (2)')
    expect(svg).toContain('>-800<')
    expect(svg).toContain('>-1200<')
    expect(svg).toContain('step 1000')
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 300 200"/)
    expect(svg).not.toContain('NaN')
  })
})
