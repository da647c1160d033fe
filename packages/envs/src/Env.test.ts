import { Box } from '@polyak/core'
import { describe, expect, it } from 'vitest'
import { checkAction } from './Env.js'

describe('checkAction', () => {
  const space = Box.box(-1, 1, [2])

  it('accepts finite numbers of the right count, in or out of the bounds', () => {
    expect(() => checkAction('Env-v0', space, [0.5, -1])).not.toThrow()
    expect(() => checkAction('Env-v0', space, Float32Array.of(5, -7))).not.toThrow()
  })

  it('names the env, the expected count and the shape for a wrong length', () => {
    expect(() => checkAction('Env-v0', space, [1])).toThrow(
      new RangeError('Env-v0: invalid action: expected 2 values (action space of shape [2]), got 1'),
    )
  })

  it('names the element that is NaN, infinite or not a number', () => {
    expect(() => checkAction('Env-v0', space, [0, Number.NaN])).toThrow(
      'Env-v0: invalid action: element 1 must be a finite number, got NaN',
    )
    expect(() => checkAction('Env-v0', space, [Number.NEGATIVE_INFINITY, 0])).toThrow('element 0')
    expect(() => checkAction('Env-v0', space, ['0.5', 0] as unknown as number[])).toThrow('got 0.5')
  })

  it('rejects a value that is not array-like', () => {
    expect(() => checkAction('Env-v0', space, undefined as unknown as number[])).toThrow(
      new TypeError('Env-v0: invalid action: expected an array of 2 numbers, got undefined'),
    )
    expect(() => checkAction('Env-v0', space, 0.5 as unknown as number[])).toThrow(TypeError)
  })
})
