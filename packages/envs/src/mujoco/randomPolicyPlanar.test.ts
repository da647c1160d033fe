import { beforeAll, describe, expect, it } from 'vitest'
import { loadMujoco } from './runtime.js'
import { randomRun } from './test-utils/randomRun.js'

beforeAll(async () => {
  await loadMujoco()
})

// Hopper-v5 and Walker2d-v5 (see randomPolicy.test.ts).
describe('a random policy runs 10k steps without error', () => {
  it('Hopper-v5: falls, finite throughout', () => {
    const summary = randomRun('Hopper-v5', 10_000, 4)
    expect(summary).toMatchObject({ nonFinite: 0, wrongLength: 0 })
    expect(summary.terminated).toBeGreaterThan(50)
  })
  it('Walker2d-v5: falls, finite throughout', () => {
    const summary = randomRun('Walker2d-v5', 10_000, 5)
    expect(summary).toMatchObject({ nonFinite: 0, wrongLength: 0 })
    expect(summary.terminated).toBeGreaterThan(50)
  })
})
