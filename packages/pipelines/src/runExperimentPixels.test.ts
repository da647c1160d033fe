import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigError, decodeOrThrow } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { lastValueFrom, toArray } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { NetworksConfigCodec } from './config.js'
import {
  disposeExperimentSnapshot,
  type ExperimentSnapshot,
  loadExperiment,
  saveExperiment,
} from './ExperimentSnapshot.js'
import type { ExperimentEvent } from './events.js'
import { runExperiment } from './runExperiment.js'

/** LaneFollowing-v0 with a 16 × 16 grey camera: observations of 16·16 + 2 = 258 values. */
const config = {
  algo: 'td3' as const,
  env: 'LaneFollowing-v0',
  envOptions: { cameraWidth: 16, cameraHeight: 16 },
  steps: 40,
  seed: 2,
  warmupSteps: 30,
  batchSize: 8,
  bufferSize: 64,
  evalEpisodes: 0,
  networks: {
    kind: 'pixels' as const,
    image: [16, 16, 1] as [number, number, number],
    torso: { filters: [4, 8], kernelSize: 4, strides: 2 },
    headSizes: [16],
  },
}

const issuesOf = (run: () => unknown): readonly string[] => {
  try {
    run()
  } catch (error) {
    if (error instanceof ConfigError) return error.issues
    throw error
  }
  return []
}

const finalOf = (events: readonly ExperimentEvent[]) =>
  (events.find((e) => e.type === 'final') as { snapshot: ExperimentSnapshot }).snapshot

describe('runExperiment with pixel networks', () => {
  it('fills the torso and head defaults', () => {
    expect(decodeOrThrow(NetworksConfigCodec, { kind: 'pixels', image: [64, 64, 1] })).toEqual({
      kind: 'pixels',
      image: [64, 64, 1],
      torso: { filters: [16, 32, 32, 64], kernelSize: 4, strides: 2, padding: 'same' },
      headSizes: [256, 256],
      actorTorso: 'own',
    })
  })

  it('rejects an image that does not fit the observation and bad image values, naming the field; accepts worker actors', () => {
    expect(issuesOf(() => runExperiment({ ...config, networks: { ...config.networks, image: [16, 17, 1] } }))).toEqual([
      'networks.image: expected [height, width, channels] with height · width · channels <= 258 (the observation size of LaneFollowing-v0), got [16,17,1] (272 values)',
    ])
    expect(
      issuesOf(() => runExperiment({ ...config, networks: { ...config.networks, image: [16, 16, 0] } })),
    ).toContain('networks.image.2: expected an integer > 0, got 0')
    expect(issuesOf(() => runExperiment({ ...config, actors: { kind: 'workers' } }))).toEqual([]) // pixels act in workers
    expect(
      issuesOf(() =>
        runExperiment({
          ...config,
          networks: { ...config.networks, torso: { filters: [4], kernelSize: 20, strides: 1, padding: 'valid' } },
        }),
      )[0],
    ).toMatch(/^networks\.torso: .*'valid' kernel does not fit its 16×16 input/)
    expect(
      issuesOf(() => runExperiment({ ...config, networks: { ...config.networks, torso: { filter: [4] } } } as never)),
    ).toContain(
      "networks.torso.filter: unknown key (expected one of: filters, kernelSize, strides, padding); did you mean 'filters'?",
    )
  })

  it('trains TD3 from LaneFollowing-v0 camera images and frees every tensor', async () => {
    const before = tf.memory().numTensors
    const events = await lastValueFrom(runExperiment(config).pipe(toArray()))
    const updates = events.filter((e) => e.type === 'update')
    expect(updates).toHaveLength(10) // one per step after the warm-up
    for (const e of updates) expect(Number.isFinite(e.metrics['losses/critic'])).toBe(true)
    const final = events.at(-1)
    if (final?.type !== 'final') throw new Error('no final event')
    expect(final.snapshot.train.actor['torso/c0/kernel']?.shape).toEqual([4, 4, 1, 4])
    expect(final.snapshot.train.critics[0]?.['head/l0/kernel']?.shape).toEqual([4 * 4 * 8 + 2 + 2, 16])
    disposeExperimentSnapshot(final.snapshot)
    expect(tf.memory().numTensors).toBe(before)
  })

  describe('random-shift augmentation', () => {
    const losses = (events: readonly ExperimentEvent[]) =>
      events.flatMap((e) => (e.type === 'update' ? [e.metrics['losses/critic']] : []))
    const shifted = { ...config, augmentation: { kind: 'randomShift' as const, pad: 2 } }

    it('needs pixel networks and a pad >= 0, naming the field', () => {
      expect(issuesOf(() => runExperiment({ ...shifted, networks: { kind: 'mlp' } }))).toEqual([
        "augmentation: randomShift shifts the image that pixel networks read; it needs networks.kind 'pixels' (got 'mlp')",
      ])
      expect(
        issuesOf(() => runExperiment({ ...shifted, augmentation: { kind: 'randomShift', pad: -1 } })).join('\n'),
      ).toMatch(/augmentation\.pad: expected an integer >= 0, got -1/)
    })

    it('changes what the critic learns from; pad 0 learns exactly what no augmentation learns', async () => {
      const plain = losses(await lastValueFrom(runExperiment(config).pipe(toArray())))
      const padZero = losses(
        await lastValueFrom(
          runExperiment({ ...shifted, augmentation: { kind: 'randomShift', pad: 0 } }).pipe(toArray()),
        ),
      )
      const augmented = losses(await lastValueFrom(runExperiment(shifted).pipe(toArray())))
      expect(padZero).toEqual(plain)
      expect(augmented).toHaveLength(plain.length)
      expect(augmented).not.toEqual(plain)
      expect(losses(await lastValueFrom(runExperiment(shifted).pipe(toArray())))).toEqual(augmented) // same seed
    })

    it('a resumed augmented run reproduces the uninterrupted one bit for bit', async () => {
      const before = tf.memory().numTensors
      const scheduled = { ...shifted, steps: 200, checkpointEvery: 40 }
      const whole = await lastValueFrom(runExperiment(scheduled).pipe(toArray()))
      const checkpoint = whole.find((e) => e.type === 'checkpoint') as { t: number; snapshot: ExperimentSnapshot }
      const dir = await mkdtemp(path.join(tmpdir(), 'polyak-pixels-'))
      try {
        await saveExperiment(dir, checkpoint.snapshot)
        const resume = await loadExperiment(dir)
        expect(resume.train.step).toBeGreaterThan(0) // the checkpoint is after some augmented updates
        const rest = await lastValueFrom(runExperiment(scheduled, { resume }).pipe(toArray()))
        const after = (events: readonly ExperimentEvent[]) =>
          events
            .filter((e) => e.t >= checkpoint.t && e.type === 'update')
            .map((e) => (e.type === 'update' ? e.metrics : {}))
        expect(after(rest)).toEqual(after(whole))
        const [a, b] = [finalOf(whole), finalOf(rest)]
        expect(b.train.actor['torso/c0/kernel']?.dataSync()).toEqual(a.train.actor['torso/c0/kernel']?.dataSync())
        disposeExperimentSnapshot(resume)
        for (const e of [...whole, ...rest])
          if (e.type === 'final' || e.type === 'checkpoint') disposeExperimentSnapshot(e.snapshot)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
      expect(tf.memory().numTensors).toBe(before)
    })
  })

  describe('frame stacking', () => {
    const stacked = { ...config, frameStack: 3 }

    it('needs pixel networks, naming the field', () => {
      expect(issuesOf(() => runExperiment({ ...stacked, networks: { kind: 'mlp' } }))).toEqual([
        "frameStack: frame stacking stacks the image that pixel networks read; it needs networks.kind 'pixels' (got 'mlp')",
      ])
      expect(issuesOf(() => runExperiment({ ...stacked, frameStack: 0 })).join('\n')).toMatch(
        /frameStack: expected an integer > 0/,
      )
    })

    for (const actors of [{ kind: 'inline' as const }, { kind: 'workers' as const, count: 1 }]) {
      it(`${actors.kind} actors: the networks read the last 3 images stacked on the channel axis; the replay holds them`, async () => {
        const before = tf.memory().numTensors
        const events = await lastValueFrom(runExperiment({ ...stacked, actors, evalEpisodes: 1 }).pipe(toArray()))
        const final = finalOf(events)
        expect(final.train.actor['torso/c0/kernel']?.shape).toEqual([4, 4, 3, 4]) // 3 input channels
        expect(final.train.critics[0]?.['torso/c0/kernel']?.shape).toEqual([4, 4, 3, 4])
        const { storage } = final.replay
        expect(storage.observationSize).toBe(16 * 16 * 3 + 2)
        // row 1's image holds the images of steps 0, 0 and 1 at every pixel (a reset repeats the first image)
        const row = (r: number) =>
          storage.observations.subarray(r * storage.observationSize, (r + 1) * storage.observationSize)
        const [first, second] = [row(0), row(1)]
        for (let p = 0; p < 16 * 16; p++) {
          expect(first[3 * p]).toBe(first[3 * p + 2]) // the reset: three copies of one image
          expect(second[3 * p + 1]).toBe(first[3 * p + 2]) // then the window moves by one image
        }
        expect(events.some((e) => e.type === 'evaluation')).toBe(true) // evaluation envs are stacked too
        disposeExperimentSnapshot(final)
        expect(tf.memory().numTensors).toBe(before)
      })
    }
  })
})
