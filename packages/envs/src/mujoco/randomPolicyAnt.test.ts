import { beforeAll, describe, expect, it } from 'vitest'
import { loadMujoco } from './runtime.js'
import { randomRun } from './test-utils/randomRun.js'

beforeAll(async () => {
  await loadMujoco()
})

// Ant-v5, the slowest env (3-D contacts, RK4, five substeps), on its own (see randomPolicy.test.ts).
describe('a random policy runs 10k steps without error', () => {
  it('Ant-v5: finite throughout, episodes end', () => {
    const summary = randomRun('Ant-v5', 10_000, 6)
    expect(summary).toMatchObject({ nonFinite: 0, wrongLength: 0 })
    expect(summary.terminated + summary.truncated).toBeGreaterThan(5)
  })
})
