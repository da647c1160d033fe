import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { disposeExperimentSnapshot, loadExperiment } from '@polyak/pipelines'
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { runMain, TINY, tempDirs } from '../test/runMain.js'
import { type MetricsRecord, readMetrics } from './metrics.js'

const tempDir = tempDirs('polyak-trainer-')
const run = runMain

/** The one run folder under `outDir`. */
const runDirIn = (outDir: string): string => {
  const entries = readdirSync(outDir)
  expect(entries).toHaveLength(1)
  return path.join(outDir, entries[0] as string)
}

const episodes = (records: readonly MetricsRecord[]) => records.filter((r) => 'charts/episodic_return' in r)

describe('main: bad input', () => {
  it('exits with code 2 and one clear message on stderr, and makes no run folder', async () => {
    const cwd = tempDir()
    const cases: Array<[string[], RegExp]> = [
      [['--tua', '0.01'], /^Invalid trainer config:\n {2}- tua: unknown key .*did you mean 'tau'\?/],
      [['--steps', '-3'], /steps: expected an integer > 0, got -3/],
      [['--agent', '{"gama":0.9}'], /agent\.gama: unknown key .*did you mean 'gamma'\?/],
      [['--env', 'Nope-v0'], /Unknown env id 'Nope-v0'/],
      [['--steps'], /Flag --steps needs a value/],
      [
        ['--resume', 'runs/x', '--seed', '2'],
        /only --steps \(and --max-critic-loss\) may be given with it, got --seed$/,
      ],
      [['--resume', 'nowhere'], /Cannot resume nowhere: there is no .*config\.json/],
      [
        ['--env', 'BipedalWalker-v3', '--networks', '{"kind":"parkour","terrain":[14,24]}'],
        /networks: the trainer exports MLP actors .* npm run parkour/,
      ],
    ]
    for (const [argv, message] of cases) {
      const { code, out, err } = await run(argv, { cwd })
      expect(code, argv.join(' ')).toBe(2)
      expect(err[0]).toMatch(message)
      expect(out.filter((line) => line.startsWith('step'))).toEqual([])
    }
    expect(readdirSync(cwd)).toEqual([]) // not even the out dir
  })

  it('--help prints the flags and exits with 0', async () => {
    const { code, out } = await run(['--help'])
    expect(code).toBe(0)
    expect(out.join('\n')).toContain('--checkpoint-every n')
  })
})

describe('main: a run', () => {
  /** The tiny run, made once and shared by the tests that read it. */
  let tiny: Promise<{ code: number; out: string[]; err: string[]; runDir: string; tensorsAfter: number }> | undefined
  const tinyRun = () => {
    tiny ??= (async () => {
      const outDir = tempDir()
      const result = await run([...TINY, '--out-dir', outDir])
      return { ...result, runDir: runDirIn(outDir), tensorsAfter: tf.memory().numTensors }
    })()
    return tiny
  }

  it('trains, prints progress, and writes metrics, a curve, checkpoints and the actor', async () => {
    const before = tf.memory().numTensors
    const { code, out, err, runDir, tensorsAfter } = await tinyRun()
    expect(err).toEqual([])
    expect(code).toBe(0)
    expect(tensorsAfter).toBe(before) // the run freed every tensor it made
    expect(path.basename(runDir)).toBe('Pendulum-v1__td3__1__1764000000')
    expect(out[0]).toMatch(/^backend: wasm/)
    const progress = out.filter((line) => line.startsWith('step '))
    expect(progress.length).toBeGreaterThanOrEqual(3)
    expect(progress.at(-1)).toMatch(
      /^step 300\/300 \| +\d+ steps\/s \| return\(10\) +-\d+\.\d \| critic loss \d+\.\d{3} \| \d+:\d\d elapsed/,
    )
    expect(out).toContainEqual(
      expect.stringMatching(/^final evaluation at step 300: mean return -\d+\.\d over 1 episode$/),
    )

    const records = readMetrics(path.join(runDir, 'metrics.jsonl'))
    const keys = new Set(records.flatMap((r) => Object.keys(r)))
    for (const key of [
      'charts/episodic_return',
      'charts/episodic_length',
      'losses/critic',
      'losses/actor',
      'charts/sps',
      'eval/mean_return',
    ]) {
      expect(keys, key).toContain(key)
    }
    expect(episodes(records).map((r) => [r.step, r['charts/episodic_length']])).toEqual([[200, 200]])
    // 150 updates (steps 150 … 299), one line per 100 learner steps, also cut at the checkpoint (step 200) and the end
    const lossLines = records.filter((r) => 'losses/critic' in r)
    expect(lossLines.map((r) => [r.step, r.learner_step, r.updates])).toEqual([
      [200, 50, 50],
      [250, 100, 50],
      [300, 150, 50],
    ])
    expect(records).toContainEqual({ step: 200, event: 'checkpoint', episode: 1 })
    expect(records.find((r) => 'eval/mean_return' in r)?.step).toBe(300)

    const svg = readFileSync(path.join(runDir, 'returns.svg'), 'utf8')
    expect(svg).toMatch(/<polyline [^>]*points="[\d., ]+"/)
    expect(svg).toContain('TD3 on Pendulum-v1, seed 1')
    expect(JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8'))).toMatchObject({
      steps: 300,
      agent: { hiddenSizes: [8], tau: 0.005 },
    })
    for (const file of [
      'actor/model.json',
      'actor/weights.bin',
      'checkpoints/learner/LATEST',
      'final/learner/LATEST',
    ]) {
      expect(existsSync(path.join(runDir, file)), file).toBe(true)
    }
    const checkpoint = await loadExperiment(path.join(runDir, 'checkpoints'))
    expect([checkpoint.t, checkpoint.episode]).toEqual([200, 1])
    disposeExperimentSnapshot(checkpoint)
    const actor = JSON.parse(readFileSync(path.join(runDir, 'actor/model.json'), 'utf8'))
    expect(actor.modelTopology.config.layers.map((l: { config: { units: number } }) => l.config.units)).toEqual([
      8, 1, 1,
    ])
  })

  it('--resume continues a run from its checkpoint exactly as the uninterrupted run', async () => {
    const { runDir } = await tinyRun()
    const whole = tempDir()
    const uninterrupted = await run([...TINY, '--steps', '600', '--out-dir', whole])
    expect(uninterrupted.code).toBe(0)
    const resumed = await run(['--resume', runDir, '--steps', '600'])
    expect(resumed.err).toEqual([])
    expect(resumed.code).toBe(0)
    expect(resumed.out).toContainEqual(
      expect.stringMatching(/^resuming .* from the checkpoint at step 200 \(episode 1\)$/),
    )

    const a = readMetrics(path.join(runDirIn(whole), 'metrics.jsonl'))
    const b = readMetrics(path.join(runDir, 'metrics.jsonl'))
    // the interrupted run's records after the checkpoint are gone: every episode once, in order
    expect(episodes(b).map((r) => r.episode)).toEqual([0, 1, 2])
    // bit for bit: episodic returns, averaged losses and evaluations after step 200, and the exported actor
    const after = (records: readonly MetricsRecord[]) =>
      records.filter((r) => r.step > 200 && !('charts/sps' in r) && r.event === undefined).map((r) => JSON.stringify(r))
    expect(after(b).length).toBeGreaterThanOrEqual(6)
    expect(after(b)).toEqual(after(a))
    expect(episodes(b)).toEqual(episodes(a))
    const weights = (dir: string) => readFileSync(path.join(dir, 'actor/weights.bin'))
    expect(weights(runDir).equals(weights(runDirIn(whole)))).toBe(true)
    expect(JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8')).steps).toBe(600)
    expect(b.filter((r) => r.event === 'resume')).toEqual([{ step: 200, event: 'resume', backend: 'wasm', steps: 600 }])
  })

  it('a resumed run evaluates at the same steps as the uninterrupted one (absolute schedules)', async () => {
    const scheduled = [...TINY, '--eval-every', '300', '--checkpoint-every', '200']
    const whole = tempDir()
    expect((await run([...scheduled, '--steps', '800', '--out-dir', whole])).code).toBe(0)
    const cut = tempDir() // stopped at 500: its last checkpoint is at 400
    expect((await run([...scheduled, '--steps', '500', '--out-dir', cut])).code).toBe(0)
    const resumed = await run(['--resume', runDirIn(cut), '--steps', '800'])
    expect(resumed.code).toBe(0)
    const evaluations = (dir: string) =>
      readMetrics(path.join(runDirIn(dir), 'metrics.jsonl'))
        .filter((r) => 'eval/mean_return' in r)
        .map((r) => JSON.stringify(r))
    // episodes end every 200 steps: the first ends at or after 300 and 600, then the final one; a schedule restarted
    // at the resume point (400) would skip 600 and wait for 700
    expect(evaluations(whole).map((r) => JSON.parse(r).step)).toEqual([400, 600, 800])
    expect(evaluations(cut)).toEqual(evaluations(whole))
  })

  it('an interruption (Ctrl-C) stops the run, frees everything, keeps the checkpoint and says how to resume', async () => {
    const outDir = tempDir()
    const before = tf.memory().numTensors
    const controller = new AbortController()
    const out: string[] = []
    const { code } = await run([...TINY, '--steps', '100000', '--out-dir', outDir], {
      signal: controller.signal,
      command: 'npm start --',
      log: (line) => {
        out.push(line)
        if (Number(/^step +(\d+)/.exec(line)?.[1]) >= 500) controller.abort()
      },
    })
    const runDir = runDirIn(outDir)
    expect(code).toBe(130)
    expect(tf.memory().numTensors).toBe(before)
    expect(out).toContainEqual(`resume from the checkpoint at step 400 with: npm start -- --resume ${runDir}`)
    expect(existsSync(path.join(runDir, 'returns.svg'))).toBe(true)
    // the actor of the last checkpoint (exported at every checkpoint, for the live view)
    const actor = JSON.parse(readFileSync(path.join(runDir, 'actor/model.json'), 'utf8'))
    expect(actor.userDefinedMetadata).toMatchObject({ steps: 400 })
    const records = readMetrics(path.join(runDir, 'metrics.jsonl'))
    expect(records.at(-1)?.event).toBe('interrupted')
    expect(records).toContainEqual({ step: 400, event: 'checkpoint', episode: 2 })
  })

  it('a diverging run stops with code 1, names the metric and the last good checkpoint, and writes the curve', async () => {
    const outDir = tempDir()
    const before = tf.memory().numTensors
    const { code, err } = await run([
      ...TINY,
      '--steps',
      '1000',
      '--warmup-steps',
      '200',
      '--learning-rate',
      '1e20',
      '--out-dir',
      outDir,
    ])
    const runDir = runDirIn(outDir)
    expect(code).toBe(1)
    expect(tf.memory().numTensors).toBe(before)
    expect(err[0]).toMatch(/^error: learn: losses\/critic is (NaN|-?Infinity) at learner step \d+/)
    expect(err[1]).toBe(`the last good checkpoint is step 200 in ${path.join(runDir, 'checkpoints')}.`)
    expect(err.join('\n')).toContain('the run diverged')
    expect(readFileSync(path.join(runDir, 'returns.svg'), 'utf8')).toMatch(/<polyline [^>]*points="[\d., ]+"/)
    expect(readMetrics(path.join(runDir, 'metrics.jsonl')).at(-1)).toMatchObject({ event: 'error' })
  })
})
