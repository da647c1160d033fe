import { beforeAll, describe, expect, it } from 'vitest'
import { loadMujoco } from './runtime.js'
import { randomRun } from './test-utils/randomRun.js'

beforeAll(async () => {
  await loadMujoco()
})

// 10 000 uniformly random steps through makeEnv (with the time limit), resetting at each episode end. The envs are
// split over three files (randomPolicy*.test.ts) so that each stays a few seconds and they run side by side.
describe('a random policy runs 10k steps without error', () => {
  it('InvertedPendulum-v5: falls within the time limit, finite throughout', () => {
    const summary = randomRun('InvertedPendulum-v5', 10_000, 0)
    expect(summary).toMatchObject({ nonFinite: 0, wrongLength: 0, truncated: 0 })
    expect(summary.terminated).toBeGreaterThan(100)
  })

  it('InvertedDoublePendulum-v5: falls within the time limit, finite throughout', () => {
    const summary = randomRun('InvertedDoublePendulum-v5', 10_000, 1)
    expect(summary).toMatchObject({ nonFinite: 0, wrongLength: 0, truncated: 0 })
    expect(summary.terminated).toBeGreaterThan(100)
  })

  it('Reacher-v5: never terminates, truncated every 50 steps', () => {
    expect(randomRun('Reacher-v5', 10_000, 2)).toEqual({ terminated: 0, truncated: 200, nonFinite: 0, wrongLength: 0 })
  })

  it('HalfCheetah-v5: never terminates, truncated every 1000 steps', () => {
    expect(randomRun('HalfCheetah-v5', 10_000, 3)).toEqual({
      terminated: 0,
      truncated: 10,
      nonFinite: 0,
      wrongLength: 0,
    })
  })
})
