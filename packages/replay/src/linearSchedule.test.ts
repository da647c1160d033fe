import { describe, expect, it } from 'vitest'
import { linearSchedule } from './linearSchedule.js'

describe('linearSchedule', () => {
  it('interpolates from start to end and clamps outside [0, steps]', () => {
    const beta = linearSchedule(0.4, 1, 100)
    expect(beta(-5)).toBeCloseTo(0.4, 12)
    expect(beta(0)).toBeCloseTo(0.4, 12)
    expect(beta(50)).toBeCloseTo(0.7, 12)
    expect(beta(100)).toBe(1)
    expect(beta(1e9)).toBe(1)
    expect(linearSchedule(0.4, 1, 0)(0)).toBe(1)
  })
})
