import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runExperiment } from '@polyak/pipelines'
import { parseFlags } from '@polyak/trainer/flags'
import { stackCharts } from '@polyak/trainer/svgChart'
import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from './cli.js'
import { compare, movingAverage, summarize } from './compare.js'

const dir = mkdtempSync(path.join(tmpdir(), 'polyak-parkour-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('parkour comparison (smoke, BipedalWalker-v3, seed 1)', () => {
  it('trains D4PG with Parkour and with standard networks, writes the SVG and the summary, and both critics learn', async () => {
    const before = tf.memory().numTensors
    const out = path.join(dir, 'smoke')
    const lines: string[] = []
    const { runs, files } = await compare(
      {
        env: 'BipedalWalker-v3',
        steps: 1_000,
        seed: 1,
        warmupSteps: 250,
        batchSize: 64,
        hiddenSizes: [64, 64],
        torsoSizes: [32],
        headSizes: [64],
        learningRate: 1e-3,
        evalEpisodes: 0,
        out,
        progressEvery: 0,
      },
      (line) => lines.push(line),
    )
    expect(tf.memory().numTensors).toBe(before) // both runs freed everything
    expect(runs.map((run) => run.architecture)).toEqual(['parkour', 'mlp'])
    for (const run of runs) {
      // one update per env step after the warm-up: 1000 − 250 + 1 batches, minus the n-step windows still open
      expect(run.updates).toBeGreaterThan(700)
      expect(run.criticLoss).toHaveLength(run.updates)
      expect(run.episodes.length).toBeGreaterThan(0)
      // learning progress that holds for such a short run: the distributional critic's cross-entropy falls (measured
      // on this seed: Parkour 3.4 → 1.9, MLP 3.4 → 2.4 from the first to the last tenth of the updates). The returns
      // do not yet improve in 1000 steps (the walker still falls, about −100 to −130 per episode).
      const { criticLoss } = summarize(run)
      expect(criticLoss.last).toBeLessThan(0.85 * criticLoss.first)
    }
    expect(lines.filter((line) => line.startsWith('[parkour]'))).toHaveLength(1) // the closing line
    const svg = readFileSync(files.svg, 'utf8')
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('Parkour networks')
    expect(svg).toContain('standard networks')
    expect(svg.match(/<polyline/g)).toHaveLength(4) // returns and critic loss, two architectures each
    const summary = JSON.parse(readFileSync(files.json, 'utf8'))
    expect(Object.keys(summary.runs)).toEqual(['parkour', 'mlp'])
    expect(summary.runs.parkour.updates).toBe(runs[0]?.updates)
    expect(summary.config.terrain).toEqual([14, 24])
  }, 120_000)

  it('rejects a terrain range that does not fit the observation before running, and accepts parkour with worker actors', () => {
    const config = { algo: 'd4pg', env: 'BipedalWalker-v3', steps: 10, agent: { vMin: -150, vMax: 150 } } as const
    expect(() => runExperiment({ ...config, networks: { kind: 'parkour', terrain: [14, 30] } })).toThrow(
      /networks\.terrain: .*<= 24 \(the observation size of BipedalWalker-v3\)/,
    )
    expect(() => runExperiment({ ...config, networks: { kind: 'parkour', terrain: [0, 24] } })).toThrow(
      /leaving some proprioception/,
    )
    expect(() =>
      runExperiment({
        ...config,
        networks: { kind: 'parkour', terrain: [14, 24] },
        actors: { kind: 'workers' },
      }),
    ).not.toThrow() // Parkour networks act in worker (and Redis) actors too; nothing starts before a subscribe
    expect(() =>
      runExperiment({ ...config, networks: { kind: 'parkour', terrain: [14, 24], torso: [3] } } as never),
    ).toThrow(/torso: unknown key/)
    expect(existsSync(path.join(dir, 'nothing'))).toBe(false)
  })

  it('parses kebab-case flags as JSON values, smooths curves, and draws a self-contained SVG', () => {
    expect(parseFlags(['--steps', '2000', '--torso-sizes=[64]', '--env', 'BipedalWalker-v3'])).toEqual({
      steps: 2000,
      torsoSizes: [64],
      env: 'BipedalWalker-v3',
    })
    expect(() => parseFlags(['steps'])).toThrow(/Unexpected argument/)
    expect(
      movingAverage(
        [
          [1, 0],
          [2, 2],
          [3, 4],
        ],
        2,
      ),
    ).toEqual([
      [1, 0],
      [2, 1],
      [3, 3],
    ])
    const svg = stackCharts([
      {
        series: [
          {
            name: 'x',
            points: [
              [0, Number.NaN],
              [1, 2],
            ],
          },
        ],
        options: { title: 'a < b', xLabel: 'steps', yLabel: 'y' },
      },
    ])
    expect(svg).toContain('a &lt; b')
    expect(svg).not.toContain('NaN')
  })

  it('the command exits with code 2 and names the key for a bad flag, before training', async () => {
    const lines: string[] = []
    expect(await main(['--tua', '1'], (line) => lines.push(line), dir)).toBe(2)
    expect(lines.join('\n')).toMatch(/tua: unknown key/)
    expect(await main(['--steps'], (line) => lines.push(line), dir)).toBe(2)
  })

  it('--help lists every config key as a flag with its default and exits with 0, training nothing', async () => {
    const lines: string[] = []
    expect(await main(['--help'], (line) => lines.push(line), dir)).toBe(0)
    const text = lines.join('\n')
    for (const flag of ['--env', '--steps', '--warmup-steps', '--terrain', '--torso-sizes', '--backend']) {
      expect(text).toContain(flag)
    }
    expect(text).toMatch(/--steps\s+default 100000/)
    expect(text).not.toMatch(/backend: /) // no backend was loaded
  })
})
