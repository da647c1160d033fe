import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { makeTransition, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { loadReplay } from './loadReplay.js'
import { addWithMaxPriority, makePrioritizedState, updatePriorities } from './PrioritizedSampler.js'
import { add, makeStorage, position, type ReplayStorage, size } from './ReplayStorage.js'
import { saveReplay } from './saveReplay.js'

const fill = (storage: ReplayStorage, count: number, seed: number, withDiscount: boolean): void => {
  const { observationSize: o, actionSize: a } = storage
  for (let i = 0; i < count; i++) {
    const u = Rng.normal(Rng.foldIn(Rng.key(seed), i), 2 * o + a + 2)
    const transition = makeTransition({
      observation: u.subarray(0, o),
      nextObservation: u.subarray(o, 2 * o),
      action: u.subarray(2 * o, 2 * o + a),
      reward: u[2 * o + a] as number,
      terminated: (u[2 * o + a + 1] as number) > 1,
      truncated: (u[2 * o + a + 1] as number) < -1,
    })
    add(storage, withDiscount ? { ...transition, discount: Math.fround(0.99 ** ((i % 3) + 1)) } : transition)
  }
}

const bytesOf = (array: Float32Array | Uint8Array): number[] =>
  Array.from(new Uint8Array(array.buffer, array.byteOffset, array.byteLength))

describe('saveReplay / loadReplay', () => {
  for (const withDiscount of [false, true]) {
    it(`round-trips bit-exactly (n-step discounts: ${withDiscount}) without leaking tensors`, async () => {
      const root = await mkdtemp(path.join(tmpdir(), 'polyak-replay-'))
      try {
        const storage = makeStorage({ capacity: 50, observationSize: 3, actionSize: 2, nStepDiscounts: withDiscount })
        fill(storage, 73, 5, withDiscount)
        const before = tf.memory().numTensors
        await saveReplay(root, { storage, stored: 73, batches: 61 }, 73)
        const snapshot = await loadReplay(root)
        const restored = snapshot.storage
        expect(tf.memory().numTensors).toBe(before)
        expect([snapshot.stored, snapshot.batches, snapshot.prioritized]).toEqual([73, 61, undefined])
        expect(size(restored)).toBe(50)
        expect(position(restored)).toBe(23)
        expect(restored.capacity).toBe(50)
        for (const column of [
          'observations',
          'actions',
          'rewards',
          'nextObservations',
          'terminated',
          'truncated',
        ] as const) {
          expect(bytesOf(restored[column])).toEqual(bytesOf(storage[column]))
        }
        expect(restored.terminated.some((v) => v === 1)).toBe(true)
        if (withDiscount)
          expect(bytesOf(restored.discounts as Float32Array)).toEqual(bytesOf(storage.discounts as Float32Array))
        else expect(restored.discounts).toBeUndefined()
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    })
  }

  it('round-trips prioritized replay: the restored sum tree is bit-for-bit the saved one', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'polyak-replay-'))
    try {
      const storage = makeStorage({ capacity: 37, observationSize: 2, actionSize: 1 })
      const prioritized = makePrioritizedState({ capacity: 37, alpha: 0.6, epsilon: 1e-6 })
      fill(storage, 30, 2, false)
      for (let i = 0; i < 30; i++) addWithMaxPriority(prioritized, i)
      const tdErrors = Float32Array.from(Rng.normal(Rng.key(4), 30, 0, 3))
      updatePriorities(
        prioritized,
        Int32Array.from({ length: 30 }, (_, i) => i),
        tdErrors,
      )
      await saveReplay(root, { storage, prioritized, stored: 30, batches: 12 }, 30)
      const restored = (await loadReplay(root)).prioritized
      expect(restored?.alpha).toBe(0.6)
      expect(restored?.epsilon).toBe(1e-6)
      expect(Array.from(restored?.maxPriority ?? [])).toEqual(Array.from(prioritized.maxPriority))
      expect(Array.from(restored?.filled ?? [])).toEqual([30])
      const bits = (x: Float64Array) => Array.from(new Uint32Array(x.buffer.slice(0)))
      expect(bits(restored?.tree.tree ?? new Float64Array())).toEqual(bits(prioritized.tree.tree))
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('names the bad field when the metadata is inconsistent', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'polyak-replay-'))
    try {
      const { saveCheckpoint } = await import('@polyak/core')
      const x = tf.scalar(1)
      const metadata = { kind: 'polyak-replay', capacity: 4, observationSize: 1, actionSize: 1, position: 0 }
      await saveCheckpoint(root, { step: 1, tensors: { x }, metadata: { ...metadata, size: -1 } })
      x.dispose()
      await expect(loadReplay(root)).rejects.toThrow(/size: expected/)
      await expect(loadReplay(root)).rejects.toThrow(/stored/)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('refuses a checkpoint that is not a replay checkpoint', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'polyak-replay-'))
    try {
      const { saveCheckpoint } = await import('@polyak/core')
      const x = tf.scalar(1)
      await saveCheckpoint(root, { step: 1, tensors: { x }, metadata: {} })
      x.dispose()
      const before = tf.memory().numTensors
      await expect(loadReplay(root)).rejects.toThrow(/not a replay checkpoint/)
      expect(tf.memory().numTensors).toBe(before)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('refuses edited counters, data beyond size and unexpected sizes, naming the file', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'polyak-replay-'))
    try {
      const { checkpointFiles } = await import('@polyak/core')
      const storage = makeStorage({ capacity: 40, observationSize: 3, actionSize: 1 })
      fill(storage, 20, 9, false)
      await saveReplay(root, { storage, stored: 20, batches: 5 }, 20)
      const files = checkpointFiles(root, 20)
      const original = await readFile(files.modelJson, 'utf8')
      // with checksums, any edit is a damaged file
      await writeFile(files.modelJson, original.replace('"size":20', '"size":39'))
      await expect(loadReplay(root)).rejects.toThrow(`${files.modelJson} is damaged`)
      // an old checkpoint (no checksums.json) is still checked for consistency
      await rm(files.checksums)
      const edits: Array<[string, string, string]> = [
        ['"size":20', '"size":39', 'size 39 disagrees with stored 20'],
        ['"position":20', '"position":39', 'position 39 disagrees with stored 20'],
        ['"position":20', '"position":40', 'position 40 is not below capacity 40'],
        ['"stored":20', '"stored":25', 'size 20 disagrees with stored 25'],
      ]
      for (const [from, to, message] of edits) {
        await writeFile(files.modelJson, original.replace(from, to))
        const before = tf.memory().numTensors
        const error = await loadReplay(root).then(
          () => new Error('loaded'),
          (e: Error) => e,
        )
        expect(error.message, to).toContain(files.modelJson)
        expect(error.message, to).toContain(message)
        expect(tf.memory().numTensors).toBe(before)
      }
      // counters raised consistently: the rows beyond the true size are empty, which the data check sees
      await writeFile(
        files.modelJson,
        original
          .replace('"position":20', '"position":39')
          .replace('"size":20', '"size":39')
          .replace('"stored":20', '"stored":39'),
      )
      await expect(loadReplay(root)).resolves.toBeDefined() // only the checksums (and loadExperiment's stored <= t) catch this one
      await writeFile(
        files.modelJson,
        original
          .replace('"position":20', '"position":10')
          .replace('"size":20', '"size":10')
          .replace('"stored":20', '"stored":10'),
      )
      await expect(loadReplay(root)).rejects.toThrow(`holds data in row 10, beyond size 10`)
      await writeFile(files.modelJson, original)
      await expect(loadReplay(root, { expected: { observationSize: 4, capacity: 40 } })).rejects.toThrow(
        'observationSize is 3, expected 4',
      )
      expect(size((await loadReplay(root, { expected: { observationSize: 3, actionSize: 1 } })).storage)).toBe(20)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
