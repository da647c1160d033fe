/**
 * Test helpers for the native backend (not part of the package: tsconfig.build.json leaves test-utils out).
 *
 * @module test-utils/nativeBackend
 */
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { setBackend } from '../backend.js'
import { nativeThreads, setNativeThreads } from '../native.js'

/**
 * Runs the enclosing `describe` block on the native backend, and puts the previous backend (cpu, else wasm) back
 * after it.
 *
 * @example
 * ```ts
 * describe.skipIf(!loaded.ok)('my kernel', () => {
 *   useNativeBackend()
 *   it('…', () => {})
 * })
 * ```
 */
export const useNativeBackend = (): void => {
  let original = 'cpu'
  beforeAll(async () => {
    original = tf.getBackend()
    await setBackend('native')
  })
  afterAll(async () => {
    await setBackend(original === 'cpu' ? 'cpu' : 'wasm')
  })
}

/**
 * Calls `f`, then sets the addon's thread count back to what it was, even when `f` throws.
 *
 * @example
 * ```ts
 * keepingThreads(() => {
 *   setNativeThreads(3)
 *   // …
 * })
 * ```
 */
export const keepingThreads = <T>(f: () => T): T => {
  const before = nativeThreads()
  try {
    return f()
  } finally {
    setNativeThreads(before)
  }
}

/**
 * Runs `step` once, then `times` more, and expects no tensor and no backend data id more than after the first: the
 * leak check of an update function or operator on the wasm-based backends.
 *
 * @example
 * ```ts
 * expectNoLeaks(() => tf.tidy(() => tf.add(x, 1).dataSync()))
 * ```
 */
export const expectNoLeaks = (step: () => unknown, times = 200): void => {
  const backend = tf.backend() as unknown as { numDataIds(): number }
  step()
  const tensors = tf.memory().numTensors
  const dataIds = backend.numDataIds()
  for (let i = 0; i < times; i++) step()
  expect(tf.memory().numTensors).toBe(tensors)
  expect(backend.numDataIds()).toBe(dataIds)
}
