import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Params } from '@polyak/core'
import { registerEnv } from '@polyak/envs'
import { makeFakeContinuousEnv } from '@polyak/envs/test'
import * as tf from '@tensorflow/tfjs-core'
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs'
import { describe, expect, it } from 'vitest'
import {
  disposeExperimentSnapshot,
  type ExperimentSnapshot,
  loadExperiment,
  saveExperiment,
} from './ExperimentSnapshot.js'
import type { ExperimentEvent } from './events.js'
import { runExperiment } from './runExperiment.js'

let made = 0
registerEnv('FakeBandit-test-v0', () => {
  made += 1
  return makeFakeContinuousEnv({ episodeLength: 10, actionSize: 2 })
})

const config = {
  algo: 'td3' as const,
  env: 'FakeBandit-test-v0',
  steps: 120,
  seed: 3,
  warmupSteps: 20,
  batchSize: 16,
  bufferSize: 64,
  agent: { hiddenSizes: [8] },
  evalEpisodes: 2,
}

/** Events without the owned snapshots (freed here), comparable with toEqual. */
const plain = (events: readonly ExperimentEvent[]) =>
  events.map((event) => {
    if (event.type !== 'checkpoint' && event.type !== 'final') return event
    const { snapshot, ...rest } = event
    disposeExperimentSnapshot(snapshot)
    return rest
  })

const values = (params: Params) => Object.values(params).map((tensor) => Array.from(tensor.dataSync()))

describe('runExperiment', () => {
  it('is cold: only the config check makes an env until it is subscribed', async () => {
    made = 0
    const run$ = runExperiment(config)
    expect(made).toBe(1) // the probe that checks the id and reads the spaces
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(made).toBe(1)
    const events = plain(await lastValueFrom(run$.pipe(toArray())))
    expect(made).toBe(3) // + the training env + the evaluation env
    expect(events.filter((e) => e.type === 'episode')).toHaveLength(12)
    expect(events.filter((e) => e.type === 'update')).toHaveLength(100) // one per step after warm-up
    expect(events.at(-1)?.type).toBe('final')
    expect(events.at(-2)?.type).toBe('evaluation')
  })

  it('rejects a bad config before anything starts, naming the field', () => {
    made = 0
    expect(() => runExperiment({ ...config, stpes: 10 } as never)).toThrow(/stpes: unknown key.*steps/)
    expect(() => runExperiment({ ...config, agent: { tua: 0.1 } })).toThrow(/agent config \(td3\)[\s\S]*tua/)
    expect(() => runExperiment({ ...config, env: 'Nope-v0' })).toThrow(/Unknown env id 'Nope-v0'/)
    expect(made).toBe(0)
  })

  it('unsubscribing stops the run between steps and frees every tensor', async () => {
    const before = tf.memory().numTensors
    const first = await firstValueFrom(
      runExperiment({ ...config, steps: 100_000 }).pipe(
        filter((e) => e.type === 'update'),
        take(3),
        toArray(),
      ),
    )
    expect(first).toHaveLength(3)
    expect(tf.memory().numTensors).toBe(before)
  })

  const d4pg = {
    ...config,
    algo: 'd4pg' as const,
    agent: {
      hiddenSizes: [8],
      atoms: 11,
      vMin: -10,
      vMax: 1,
      nStep: 3,
      sampler: { prioritized: { alpha: 0.6, beta0: 0.4, betaSteps: 100, epsilon: 1e-3 } },
    },
  }
  for (const [name, setup] of [
    ['td3', config],
    ['d4pg (n-step, prioritized replay)', d4pg],
  ] as const) {
    it(`${name}: a run resumed from a saved checkpoint reproduces the uninterrupted run bit for bit`, async () => {
      const before = tf.memory().numTensors
      // evaluations every 30 steps: the resumed run must make the one at 60 too, not restart its schedule at 50
      const scheduled = { ...setup, checkpointEvery: 50, evalEvery: 30 }
      const whole = await lastValueFrom(runExperiment(scheduled).pipe(toArray()))
      const checkpoint = whole.find((e) => e.type === 'checkpoint') as { t: number; snapshot: ExperimentSnapshot }
      expect(checkpoint.t).toBe(50) // the first episode end at or after step 50
      const dir = await mkdtemp(path.join(tmpdir(), 'polyak-run-'))
      try {
        await saveExperiment(dir, checkpoint.snapshot)
        const resume = await loadExperiment(dir)
        const rest = await lastValueFrom(runExperiment(scheduled, { resume }).pipe(toArray()))
        const finalOf = (events: readonly ExperimentEvent[]) =>
          (events.find((e) => e.type === 'final') as { snapshot: ExperimentSnapshot }).snapshot
        const [a, b] = [finalOf(whole), finalOf(rest)]
        expect(values(b.train.actor)).toEqual(values(a.train.actor))
        expect(values(b.train.critics.at(-1) as Params)).toEqual(values(a.train.critics.at(-1) as Params))
        expect(b.replay.prioritized?.tree.tree).toEqual(a.replay.prioritized?.tree.tree)
        expect(b.replay.storage.rewards).toEqual(a.replay.storage.rewards)
        const after = (events: readonly ExperimentEvent[]) =>
          plain(events).filter((e) => e.t >= 50 && e.type !== 'checkpoint')
        expect(after(rest)).toEqual(after(whole))
        const evaluations = (events: readonly ExperimentEvent[]) =>
          events.filter((e) => e.type === 'evaluation').map((e) => e.t)
        expect(evaluations(whole)).toEqual([30, 60, 90, 120]) // episode ends every 10 steps; the last is the final one
        expect(evaluations(rest)).toEqual([60, 90, 120])
        expect(after(rest).filter((e) => e.type === 'update').length).toBe(70)
        disposeExperimentSnapshot(resume)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
      expect(tf.memory().numTensors).toBe(before)
    })
  }
})
