import { type Batch, Rng } from '@polyak/core'
import fc from 'fast-check'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { augmentBatches, randomShift } from './randomShift.js'

/** A batch whose observations are an image of `h × w × c` distinct values followed by `extras` values. */
const imageBatch = (size: number, h: number, w: number, c: number, extras: number, seed = 0): Batch => {
  const observationSize = h * w * c + extras
  const values = (offset: number) =>
    Float32Array.from({ length: size * observationSize }, (_, i) => offset + i + seed * 0.5)
  return {
    size,
    observationSize,
    actionSize: 1,
    observations: values(0),
    actions: Float32Array.from({ length: size }, (_, i) => i / 10),
    rewards: Float32Array.from({ length: size }, (_, i) => i),
    nextObservations: values(100_000),
    terminated: new Float32Array(size),
    truncated: new Float32Array(size),
    indices: Int32Array.from({ length: size }, (_, i) => i),
  }
}

/** The reference: pixel (y, x) of the shifted image is pixel (clamp(y + dy), clamp(x + dx)) of the original. */
const naiveShift = (image: Float32Array, h: number, w: number, c: number, dy: number, dx: number): Float32Array => {
  const out = new Float32Array(h * w * c)
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v))
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++)
        out[(y * w + x) * c + k] = image[(clamp(y + dy, h) * w + clamp(x + dx, w)) * c + k] as number
  return out
}

/** The shift (dy, dx) within ±pad that turns `image` into `shifted`, or undefined when none does. */
const shiftOf = (
  image: Float32Array,
  shifted: Float32Array,
  h: number,
  w: number,
  c: number,
  pad: number,
): readonly [number, number] | undefined => {
  for (let dy = -pad; dy <= pad; dy++)
    for (let dx = -pad; dx <= pad; dx++) {
      const reference = naiveShift(image, h, w, c, dy, dx)
      if (reference.every((v, i) => v === shifted[i])) return [dy, dx]
    }
  return undefined
}

const row = (values: Float32Array, i: number, n: number) => values.subarray(i * n, (i + 1) * n)

const shape = fc.record({
  size: fc.integer({ min: 1, max: 5 }),
  h: fc.integer({ min: 1, max: 7 }),
  w: fc.integer({ min: 1, max: 7 }),
  c: fc.integer({ min: 1, max: 3 }),
  extras: fc.integer({ min: 0, max: 3 }),
  pad: fc.integer({ min: 0, max: 4 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
})

describe('randomShift', () => {
  it('shifts every image by some (dy, dx) within ±pad with edge replication, and leaves the rest alone', () => {
    fc.assert(
      fc.property(shape, ({ size, h, w, c, extras, pad, seed }) => {
        const batch = imageBatch(size, h, w, c, extras)
        const before = structuredClone(batch)
        const out = randomShift({ image: [h, w, c], pad })(batch, Rng.key(seed))
        const n = batch.observationSize
        const pixels = h * w * c
        for (const field of ['observations', 'nextObservations'] as const) {
          for (let i = 0; i < size; i++) {
            const original = row(batch[field], i, n)
            const shifted = row(out[field], i, n)
            expect(shiftOf(original.subarray(0, pixels), shifted.subarray(0, pixels), h, w, c, pad)).toBeDefined()
            expect(Array.from(shifted.subarray(pixels))).toEqual(Array.from(original.subarray(pixels)))
          }
        }
        expect(out.actions).toBe(batch.actions)
        expect(out.rewards).toBe(batch.rewards)
        expect(out.indices).toBe(batch.indices)
        expect(out.terminated).toBe(batch.terminated)
        expect(batch).toEqual(before) // the input is not written
      }),
      { numRuns: 150 },
    )
  })

  it('is the identity for pad 0, and the same key gives the same batch', () => {
    fc.assert(
      fc.property(shape, ({ size, h, w, c, extras, pad, seed }) => {
        const batch = imageBatch(size, h, w, c, extras)
        const shift = randomShift({ image: [h, w, c], pad })
        expect(randomShift({ image: [h, w, c], pad: 0 })(batch, Rng.key(seed))).toBe(batch)
        expect(shift(batch, Rng.key(seed))).toEqual(shift(batch, Rng.key(seed)))
      }),
    )
  })

  it('draws the (2·pad + 1)² shifts uniformly, independently for observations and next observations', () => {
    const h = 9
    const w = 9
    const pad = 2
    const size = 500
    const batch = imageBatch(size, h, w, 1, 0)
    const out = randomShift({ image: [h, w, 1], pad })(batch, Rng.key(3))
    const counts = new Map<string, number>()
    let same = 0
    for (let i = 0; i < size; i++) {
      const a = shiftOf(row(batch.observations, i, h * w), row(out.observations, i, h * w), h, w, 1, pad)
      const b = shiftOf(row(batch.nextObservations, i, h * w), row(out.nextObservations, i, h * w), h, w, 1, pad)
      if (a === undefined || b === undefined) throw new Error('not a shift')
      counts.set(`${a}`, (counts.get(`${a}`) ?? 0) + 1)
      if (a[0] === b[0] && a[1] === b[1]) same++
    }
    const cells = (2 * pad + 1) ** 2
    expect(counts.size).toBe(cells)
    const expected = size / cells
    const chi2 = [...counts.values()].reduce((sum, k) => sum + (k - expected) ** 2 / expected, 0)
    expect(chi2).toBeLessThan(52.6) // χ² with 24 degrees of freedom: p = 0.001
    expect(same / size).toBeLessThan(0.12) // independent draws agree with probability 1/25
  })

  it('rejects a bad pad or image, naming it', () => {
    expect(() => randomShift({ image: [4, 4, 1], pad: -1 })).toThrow(/pad must be an integer >= 0, got -1/)
    expect(() => randomShift({ image: [4, 0, 1], pad: 1 })).toThrow(/image width must be an integer >= 1/)
    const shift = randomShift({ image: [4, 4, 1], pad: 1 })
    expect(() => shift(imageBatch(2, 3, 3, 1, 0), Rng.key(0))).toThrow(/has 16 values, more than the observation's 9/)
  })
})

describe('augmentBatches', () => {
  const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected))
  const batches = { a: imageBatch(1, 2, 2, 1, 0, 1), b: imageBatch(1, 2, 2, 1, 0, 2), c: imageBatch(1, 2, 2, 1, 0, 3) }
  /** An augmentation that reports which key it was given, as the reward. */
  const keyAsReward = (batch: Batch, key: Rng.Key): Batch => ({ ...batch, rewards: Float32Array.of(key.words[0]) })
  const reward = (key: Rng.Key) => ({ ...batches.a, rewards: Float32Array.of(key.words[0]) })

  it('augments batch i with foldIn(key, first + i), passing completion through', () => {
    const key = Rng.key(5)
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold('a-b-c|', batches).pipe(augmentBatches(keyAsReward, { key, first: 10 }))
      expectObservable(out).toBe('a-b-c|', {
        a: reward(Rng.foldIn(key, 10)),
        b: { ...batches.b, rewards: Float32Array.of(Rng.foldIn(key, 11).words[0]) },
        c: { ...batches.c, rewards: Float32Array.of(Rng.foldIn(key, 12).words[0]) },
      })
    })
  })

  it('passes errors through and unsubscribes from the batches when unsubscribed early', () => {
    const key = Rng.key(5)
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('a-#', batches)
      expectObservable(failing.pipe(augmentBatches(keyAsReward, { key }))).toBe('a-#', {
        a: reward(Rng.foldIn(key, 0)),
      })
      const endless = cold('a-b-c-', batches)
      expectObservable(endless.pipe(augmentBatches(keyAsReward, { key })), '^--!').toBe('a-b', {
        a: reward(Rng.foldIn(key, 0)),
        b: { ...batches.b, rewards: Float32Array.of(Rng.foldIn(key, 1).words[0]) },
      })
      expectSubscriptions(endless.subscriptions).toBe('^--!')
    })
  })

  it('a resumed stream (first = k) draws what the uninterrupted stream drew from batch k on', () => {
    const shift = randomShift({ image: [2, 2, 1], pad: 1 })
    const key = Rng.key(9)
    const all = [batches.a, batches.b, batches.c]
    const whole: Batch[] = []
    const resumed: Batch[] = []
    scheduler().run(({ cold }) => {
      cold('abc|', batches)
        .pipe(augmentBatches(shift, { key }))
        .subscribe((b) => whole.push(b))
      cold('bc|', batches)
        .pipe(augmentBatches(shift, { key, first: 1 }))
        .subscribe((b) => resumed.push(b))
    })
    expect(whole).toHaveLength(all.length)
    expect(resumed).toEqual(whole.slice(1))
  })
})
