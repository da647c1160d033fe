import { describe, expect, it } from 'vitest'
import { frameSkip } from './frameSkip.js'
import { makePendulum } from './Pendulum.js'
import { makeFakeContinuousEnv } from './test/makeFakeContinuousEnv.js'

describe('frameSkip', () => {
  it('repeats the action k times, sums the rewards and returns the last observation', () => {
    const skipped = frameSkip(4)(makePendulum())
    const plain = makePendulum()
    skipped.reset({ seed: 9 })
    plain.reset({ seed: 9 })
    for (let step = 0; step < 3; step++) {
      const inner = [plain.step([1]), plain.step([1]), plain.step([1]), plain.step([1])]
      const outer = skipped.step([1])
      expect(outer.reward).toBe(inner.reduce((sum, r) => sum + r.reward, 0))
      expect(outer.observation).toEqual(inner[3]?.observation)
    }
  })

  it('stops at the first terminated or truncated step', () => {
    for (const ending of ['terminated', 'truncated'] as const) {
      const fake = makeFakeContinuousEnv({ episodeLength: 5, ending })
      const skipped = frameSkip(3)(fake)
      skipped.reset({ seed: 0 })
      expect(skipped.step([0.5]).terminated || false).toBe(false)
      const last = skipped.step([0])
      expect(fake.counts().steps).toBe(5)
      expect(last.reward).toBeCloseTo(2 * -0.25, 12)
      expect(ending === 'terminated' ? last.terminated : last.truncated).toBe(true)
      expect(last.observation[0]).toBe(1) // progress 5 / 5
    }
  })

  it('with k = 1 is the env itself', () => {
    const skipped = frameSkip(1)(makePendulum())
    const plain = makePendulum()
    expect(skipped.reset({ seed: 1 })).toEqual(plain.reset({ seed: 1 }))
    expect(skipped.step([0.3])).toEqual(plain.step([0.3]))
  })

  it('rejects a skip that is not a positive integer', () => {
    expect(() => frameSkip(0)).toThrow('Invalid frameSkip skip:\n  - (root): expected an integer > 0, got 0')
  })
})
