import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, describe, expect, it } from 'vitest'
import { BackendUnavailableError, formatBackendInfo, setBackend } from './backend.js'
import { loadNativeAddon, type NativeLoad, nativeKernelsActive } from './native.js'

const initial = tf.getBackend()
afterAll(async () => {
  await tf.setBackend(initial)
})

const notFound = (specifier: string): Promise<never> =>
  Promise.reject(Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' }))

const withoutNative = (): NativeLoad => loadNativeAddon('/nonexistent/polyak_native.node')

const isInstalled = (name: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(name)
    return true
  } catch {
    return false
  }
}

describe('setBackend', () => {
  it('loads the cpu backend and reports it', async () => {
    const info = await setBackend('cpu')
    expect(info).toMatchObject({ requested: 'cpu', name: 'cpu', packageName: '@tensorflow/tfjs-backend-cpu' })
    expect(tf.getBackend()).toBe('cpu')
    expect(formatBackendInfo(info)).toBe('backend: cpu (@tensorflow/tfjs-backend-cpu; pure JavaScript)')
  })

  it('loads the wasm backend from the installed package, with SIMD, and computes correctly', async () => {
    const info = await setBackend('wasm')
    expect(info.name).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
    expect(info.details).toContain('SIMD')
    const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]))
    expect(Array.from(product.dataSync())).toEqual([11])
  })

  it('auto picks the fastest backend that loads and says why it skipped the others', async () => {
    const info = await setBackend('auto', {
      importModule: (s) => (s.startsWith('@tensorflow/tfjs-node') ? notFound(s) : import(s)),
      loadNative: withoutNative,
    })
    expect(info.requested).toBe('auto')
    expect(info.name).toBe('wasm')
    expect(info.skipped).toHaveLength(2)
    expect(info.skipped[0]).toMatch(
      /^tensorflow: .*@tensorflow\/tfjs-node-gpu is not installed; @tensorflow\/tfjs-node is not installed/,
    )
    expect(info.skipped[1]).toMatch(/^native: The 'native' backend is not available: .*not built/)
    // the log line tells the user why the faster kernels are not in use
    expect(formatBackendInfo(info)).toMatch(
      /^backend: wasm \(.*\) \[auto\]; native kernels skipped: The 'native' backend is not available: .*node native\/build\.mjs/,
    )
  })

  it.skipIf(!loadNativeAddon().ok)('auto prefers the native kernels when their addon is built', async () => {
    const info = await setBackend('auto', {
      importModule: (s) => (s.startsWith('@tensorflow/tfjs-node') ? notFound(s) : import(s)),
    })
    expect(info.name).toBe('native')
    expect(tf.getBackend()).toBe('wasm')
    expect(nativeKernelsActive()).toBe(true)
    expect(formatBackendInfo(info)).toMatch(/^backend: native \(.*(avx512|avx2|sse2|generic) matrix products/)
  })

  it('falls back to cpu when wasm cannot load', async () => {
    const info = await setBackend('auto', {
      importModule: (s) =>
        s === '@tensorflow/tfjs-backend-wasm' || s.startsWith('@tensorflow/tfjs-node') ? notFound(s) : import(s),
    })
    expect(info.name).toBe('cpu')
    // native needs wasm's heap: without wasm it is skipped too
    expect(info.skipped.map((line) => line.split(':')[0])).toEqual(['tensorflow', 'native', 'wasm'])
    expect(nativeKernelsActive()).toBe(false)
  })

  it('with no backend package installed, auto says which to install', async () => {
    await expect(setBackend('auto', { importModule: notFound })).rejects.toThrow(
      /No tfjs backend could be loaded:[\s\S]*install @tensorflow\/tfjs-backend-wasm \(fast\) or @tensorflow\/tfjs-backend-cpu/,
    )
  })

  it('asking for a missing tensorflow backend names the packages to install', async () => {
    const attempt = setBackend('tensorflow', { importModule: notFound })
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError)
    await expect(setBackend('tensorflow', { importModule: notFound })).rejects.toThrow(
      /needs one of the optional packages @tensorflow\/tfjs-node-gpu \(CUDA\) or @tensorflow\/tfjs-node \(CPU\): install one with `npm install @tensorflow\/tfjs-node`/,
    )
  })

  it.skipIf(isInstalled('@tensorflow/tfjs-node') || isInstalled('@tensorflow/tfjs-node-gpu'))(
    'without tfjs-node installed, the real import fails with the same clear error',
    async () => {
      await expect(setBackend('tensorflow')).rejects.toThrow(/@tensorflow\/tfjs-node is not installed/)
    },
  )

  it('a package that loads but registers nothing is reported, not trusted', async () => {
    await expect(setBackend('tensorflow', { importModule: async () => ({}) })).rejects.toThrow(
      /loaded but registered no 'tensorflow' backend/,
    )
  })

  it('rejects unknown names', async () => {
    await expect(setBackend('webgpu' as never)).rejects.toThrow("Unknown backend 'webgpu'")
  })
})
