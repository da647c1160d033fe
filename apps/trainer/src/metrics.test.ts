import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openMetrics, readMetrics, recordsUpTo } from './metrics.js'

describe('openMetrics', () => {
  it('appends JSON lines and builds the curve from episodic returns and evaluations', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'polyak-metrics-')), 'metrics.jsonl')
    const metrics = openMetrics(file)
    metrics.write({ step: 200, 'charts/episodic_return': -1200 })
    metrics.write({ step: 300, 'losses/critic': 0.5 })
    metrics.write({ step: 400, 'eval/mean_return': -900 })
    metrics.close()
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3)
    expect(metrics.curve).toEqual({ returns: [[200, -1200]], evaluations: [[400, -900]] })
  })

  it('a resume cuts the file back to the checkpoint step and starts the curve from what it keeps', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'polyak-metrics-')), 'metrics.jsonl')
    const lines = [
      { step: 0, event: 'start' },
      { step: 200, 'charts/episodic_return': -1 },
      { step: 400, 'charts/episodic_return': -2 },
      { step: 400, 'eval/mean_return': -3 },
      { step: 600, 'charts/episodic_return': -4 },
      { step: 400, event: 'checkpoint' }, // written once saved, after later records
      { step: 650, event: 'interrupted' },
    ]
    writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''))
    expect(recordsUpTo(lines, 400)).toEqual([lines[0], lines[1], lines[2], lines[3], lines[5]])
    const metrics = openMetrics(file, { resumeAt: 400 })
    metrics.write({ step: 400, event: 'resume' })
    metrics.close()
    expect(readMetrics(file)).toEqual([
      lines[0],
      lines[1],
      lines[2],
      lines[3],
      lines[5],
      { step: 400, event: 'resume' },
    ])
    expect(metrics.curve).toEqual({
      returns: [
        [200, -1],
        [400, -2],
      ],
      evaluations: [[400, -3]],
    })
  })
})
