import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Env } from './Env.js'
import { frameStack } from './frameStack.js'
import { makeEnv } from './registry.js'

/** An env whose observation at step s (0 = reset) is `1000·s + i` at index i, with bounds −i … i + 1. */
const countingEnv = (size: number): Env & { readonly observed: Float32Array[] } => {
  let step = 0
  const observed: Float32Array[] = []
  const observation = () => {
    const o = Float32Array.from({ length: size }, (_, i) => 1000 * step + i)
    observed.push(o)
    return o
  }
  return {
    id: 'Counting-v0',
    spec: undefined,
    observationSpace: {
      shape: [size],
      low: Array.from({ length: size }, (_, i) => -i),
      high: Array.from({ length: size }, (_, i) => i + 1),
    },
    actionSpace: { shape: [1], low: [-1], high: [1] },
    reset: () => {
      step = 0
      return { observation: observation(), info: {} }
    },
    step: () => {
      step++
      return { observation: observation(), reward: step, terminated: false, truncated: step % 7 === 0, info: {} }
    },
    render: () => {
      throw new Error('no frame')
    },
    close: () => {},
    observed,
  }
}

/** The reference stacking: pixel p of the result holds the channels of images[0], then images[1], …; then extras. */
const reference = (images: readonly Float32Array[], h: number, w: number, c: number, size: number): number[] => {
  const out: number[] = []
  for (let p = 0; p < h * w; p++)
    for (const image of images) for (let k = 0; k < c; k++) out.push(image[p * c + k] as number)
  const latest = images.at(-1) as Float32Array
  for (let e = h * w * c; e < size; e++) out.push(latest[e] as number)
  return out
}

describe('frameStack', () => {
  it('stacks the latest k images on the channel axis (oldest first), the first image repeated after a reset', () => {
    fc.assert(
      fc.property(
        fc.record({
          h: fc.integer({ min: 1, max: 4 }),
          w: fc.integer({ min: 1, max: 4 }),
          c: fc.integer({ min: 1, max: 3 }),
          extras: fc.integer({ min: 0, max: 3 }),
          frames: fc.integer({ min: 1, max: 4 }),
          steps: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 3 }), // steps per episode
        }),
        ({ h, w, c, extras, frames, steps }) => {
          const size = h * w * c + extras
          const inner = countingEnv(size)
          const env = frameStack({ image: [h, w, c], frames })(inner)
          for (const episodeSteps of steps) {
            const first = env.reset({ seed: 0 }).observation
            const start = inner.observed.length - 1
            const window = (end: number) =>
              Array.from(
                { length: frames },
                (_, f) => inner.observed[Math.max(start, end - frames + 1 + f)] as Float32Array,
              )
            expect(Array.from(first)).toEqual(reference(window(start), h, w, c, size))
            for (let s = 1; s <= episodeSteps; s++) {
              const result = env.step([0])
              expect(Array.from(result.observation)).toEqual(reference(window(start + s), h, w, c, size))
              expect(result.reward).toBe(s) // everything else is the inner env's
              expect(result.truncated).toBe(s % 7 === 0)
            }
          }
          expect(env.observationSpace.shape).toEqual([h * w * c * frames + extras])
          expect(env.observationSpace.low).toEqual(
            reference(Array(frames).fill(Float32Array.from(inner.observationSpace.low)), h, w, c, size),
          )
        },
      ),
    )
  })

  it('keeps copies: the inner arrays may be reused or changed without changing the stack', () => {
    const inner = countingEnv(5)
    const env = frameStack({ image: [2, 2, 1], frames: 2 })(inner)
    env.reset()
    const a = env.step([0]).observation
    ;(inner.observed[0] as Float32Array).fill(-1)
    expect(Array.from(env.step([0]).observation)).toEqual([1000, 2000, 1001, 2001, 1002, 2002, 1003, 2003, 2004])
    expect(Array.from(a)).toEqual([0, 1000, 1, 1001, 2, 1002, 3, 1003, 1004])
  })

  it('stacks LaneFollowing-v0 camera frames, speed and steering from the latest', () => {
    const env = frameStack({ image: [16, 16, 1], frames: 3 })(
      makeEnv('LaneFollowing-v0', { cameraWidth: 16, cameraHeight: 16 }),
    )
    const plain = makeEnv('LaneFollowing-v0', { cameraWidth: 16, cameraHeight: 16 })
    expect(env.observationSpace.shape).toEqual([16 * 16 * 3 + 2])
    const images = [plain.reset({ seed: 4 }).observation]
    env.reset({ seed: 4 })
    let stacked: Float32Array = new Float32Array()
    for (let s = 0; s < 3; s++) {
      images.push(plain.step([0.3, 1]).observation)
      stacked = env.step([0.3, 1]).observation
    }
    expect(Array.from(stacked)).toEqual(reference(images.slice(-3), 16, 16, 1, 16 * 16 + 2))
    expect(stacked.slice(-2)).toEqual((images.at(-1) as Float32Array).slice(-2))
  })

  it('with one frame is the env itself, and rejects bad options naming them', () => {
    const inner = countingEnv(4)
    expect(frameStack({ image: [2, 2, 1], frames: 1 })(inner)).toBe(inner)
    expect(() => frameStack({ image: [2, 2, 1], frames: 0 })(inner)).toThrow(
      'frameStack: frames must be an integer >= 1, got 0',
    )
    expect(() => frameStack({ image: [2, 2.5, 1], frames: 2 })(inner)).toThrow(
      /image width must be an integer >= 1, got 2.5/,
    )
    expect(() => frameStack({ image: [3, 2, 1], frames: 2 })(inner)).toThrow(
      "frameStack: the image [3, 2, 1] has 6 values, more than Counting-v0's observation (4)",
    )
  })
})
