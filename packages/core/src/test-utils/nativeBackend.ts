/**
 * Test helpers for the native backend (not part of the package: tsconfig.build.json leaves test-utils out).
 *
 * @module test-utils/nativeBackend
 */
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll } from 'vitest'
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
