import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigError, decodeOrThrow, disposeParams, loadCheckpoint, Rng, saveCheckpoint } from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import {
  decodeVae,
  disposeVaeTrainState,
  encodeMean,
  encodeVae,
  gaussianKl,
  initVae,
  initVaeTrainState,
  reconstructVae,
  sampleLatent,
  type VaeConfig,
  VaeConfigCodec,
  vaeLoss,
  vaeParamShapes,
  vaeTrainStep,
} from './vaeModel.js'

/** Small images keep the tests fast: 32 × 32 grey, three layers (32 → 16 → 8 → 4), an 8-value latent. */
const config: VaeConfig = decodeOrThrow(VaeConfigCodec, {
  imageHeight: 32,
  imageWidth: 32,
  latentSize: 8,
  filters: [8, 16, 16],
  learningRate: 2e-3,
  batchSize: 32,
})

/** `count` 32 × 32 grey images, each a white axis-aligned rectangle (4 to 19 pixels a side) on black. */
const rectangles = (key: Rng.Key, count: number): tf.Tensor4D => {
  const size = 32
  const draws = Rng.integers(key, count * 4, 16)
  const pixels = new Float32Array(count * size * size)
  for (let n = 0; n < count; n++) {
    const [top, left, height, width] = Array.from(draws.subarray(4 * n, 4 * n + 4), (d, i) => (i < 2 ? d : 4 + d))
    for (let r = top as number; r < Math.min(size, (top as number) + (height as number)); r++)
      for (let c = left as number; c < Math.min(size, (left as number) + (width as number)); c++)
        pixels[(n * size + r) * size + c] = 1
  }
  return tf.tensor4d(pixels, [count, size, size, 1])
}

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('VaeConfigCodec', () => {
  it("fills LaneFollowing-v0's defaults and names a bad field", () => {
    const defaults = decodeOrThrow(VaeConfigCodec, {})
    expect(defaults).toEqual({
      imageHeight: 64,
      imageWidth: 64,
      channels: 1,
      latentSize: 32,
      filters: [32, 32, 64, 64],
      kernelSize: 4,
      strides: 2,
      beta: 1,
      learningRate: 1e-3,
      batchSize: 64,
      reconstruction: 'bce',
    })
    const issues = (input: unknown): readonly string[] => {
      try {
        decodeOrThrow(VaeConfigCodec, input)
      } catch (error) {
        if (error instanceof ConfigError) return error.issues
        throw error
      }
      return []
    }
    expect(issues({ imageHeight: 60 })).toEqual([
      'imageHeight: expected a multiple of 16 (strides ** filters.length = 2 ** 4), got 60',
    ])
    expect(issues({ imageHeight: 80, imageWidth: 48, filters: [8, 8, 8, 8, 8] })).toEqual([
      'imageHeight: expected a multiple of 32 (strides ** filters.length = 2 ** 5), got 80',
      'imageWidth: expected a multiple of 32 (strides ** filters.length = 2 ** 5), got 48',
    ])
    expect(issues({ filters: [] })).toEqual(['filters: expected at least one layer, got []'])
    expect(issues({ latentSise: 8 })[0]).toMatch(/^latentSise: unknown key .*did you mean 'latentSize'\?/)
    expect(issues({ beta: -1 })).toEqual(['beta: expected a number >= 0, got -1'])
    expect(issues({ reconstruction: 'l1' })).toEqual(['reconstruction: expected one of bce, mse, got "l1"'])
  })
})

describe('VAE networks', () => {
  it('has the parameters vaeParamShapes lists, encodes to [N, latent] and decodes to images in (0, 1)', () => {
    const params = initVae(config)(Rng.key(0))
    const shapes = Object.fromEntries(Object.entries(params).map(([name, t]) => [name, t.shape]))
    expect(shapes).toEqual(vaeParamShapes(config))
    expect(shapes['encoder/c2/kernel']).toEqual([4, 4, 16, 16])
    expect(shapes['encoder/mean/l0/kernel']).toEqual([4 * 4 * 16, 8])
    expect(shapes['decoder/l0/kernel']).toEqual([8, 4 * 4 * 16])
    expect(shapes['decoder/t0/kernel']).toEqual([4, 4, 16, 16]) // [k, k, out, in], 4 → 8
    expect(shapes['decoder/t2/kernel']).toEqual([4, 4, 1, 8]) // 16 → 32, to one channel
    const images = rectangles(Rng.key(1), 3)
    tf.tidy(() => {
      const { mean, logVar } = encodeVae(config)(params, images)
      expect(mean.shape).toEqual([3, 8])
      expect(logVar.shape).toEqual([3, 8])
      expect(encodeMean(config)(params, images).dataSync()).toEqual(mean.dataSync())
      const decoded = decodeVae(config)(params, mean)
      expect(decoded.shape).toEqual([3, 32, 32, 1])
      const values = Array.from(decoded.dataSync())
      expect(Math.min(...values)).toBeGreaterThan(0)
      expect(Math.max(...values)).toBeLessThan(1)
      expect(reconstructVae(config)(params, images).dataSync()).toEqual(decoded.dataSync())
      expect(() => decodeVae(config)(params, tf.zeros([1, 4]) as tf.Tensor2D)).toThrow(/expected latents \[N, 8\]/)
    })
    const again = initVae(config)(Rng.key(0))
    const other = initVae(config)(Rng.key(1))
    for (const [name, t] of Object.entries(params)) {
      expect(t.dataSync(), name).toEqual((again[name] as tf.Tensor).dataSync())
      if (!name.endsWith('bias') || t.size > 1) expect(t.dataSync()).not.toEqual((other[name] as tf.Tensor).dataSync())
    }
    disposeParams(params, again, other)
    images.dispose()
  })

  it('round-trips through saveCheckpoint/loadCheckpoint, shapes checked against vaeParamShapes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'polyak-vae-'))
    dirs.push(dir)
    const params = initVae(config)(Rng.key(2))
    await saveCheckpoint(dir, { step: 7, tensors: params, metadata: { vae: VaeConfigCodec.encode(config) } })
    const loaded = await loadCheckpoint(dir, { like: vaeParamShapes(config) })
    expect(loaded.step).toBe(7)
    expect(decodeOrThrow(VaeConfigCodec, loaded.metadata.vae)).toEqual(config)
    expect(Object.keys(loaded.tensors).sort()).toEqual(Object.keys(params).sort())
    for (const [name, t] of Object.entries(params)) {
      expect((loaded.tensors[name] as tf.Tensor).dataSync(), name).toEqual(t.dataSync())
    }
    const images = rectangles(Rng.key(3), 2)
    tf.tidy(() => {
      expect(encodeMean(config)(loaded.tensors, images).dataSync()).toEqual(
        encodeMean(config)(params, images).dataSync(),
      )
    })
    const wider = decodeOrThrow(VaeConfigCodec, { ...VaeConfigCodec.encode(config), latentSize: 9 })
    await expect(loadCheckpoint(dir, { like: vaeParamShapes(wider) })).rejects.toThrow(
      /tensor 'encoder\/mean\/l0\/kernel' has shape \[256,8\] in the checkpoint, expected \[256,9\]/,
    )
    disposeParams(params, loaded.tensors)
    images.dispose()
  })
})

describe('VAE loss', () => {
  it('KL equals the closed form on known means and log-variances', () => {
    tf.tidy(() => {
      // KL(N(1, 1) ‖ N(0, 1)) = ½; KL(N(0, 2) ‖ N(0, 1)) = ½ (2 − 1 − ln 2); averaged over a batch of two rows
      const mean = tf.tensor2d([
        [1, 0],
        [0, 0],
      ])
      const logVar = tf.tensor2d([
        [0, Math.log(2)],
        [0, 0],
      ])
      const expected = (0.5 + 0.5 * (1 - Math.log(2))) / 2
      expect(gaussianKl(mean, logVar).dataSync()[0]).toBeCloseTo(expected, 6)
    })
  })

  it('law: KL >= 0, and KL = 0 exactly when mean = 0 and logVar = 0', () => {
    const value = fc.float({ min: -3, max: 3, noNaN: true })
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 6 }), (pairs) => {
        const kl = tf.tidy(
          () =>
            gaussianKl(
              tf.tensor2d(pairs.map(([m]) => [m])),
              tf.tensor2d(pairs.map(([, v]) => [v])),
            ).dataSync()[0] as number,
        )
        const zero = pairs.every(([m, v]) => m === 0 && v === 0)
        // float32: a pair with |m| or |v| below ~3e-4 gives a KL that rounds to 0
        const tiny = pairs.every(([m, v]) => Math.abs(m) < 1e-3 && Math.abs(v) < 1e-3)
        expect(kl).toBeGreaterThanOrEqual(0)
        if (zero) expect(kl).toBe(0)
        else if (!tiny) expect(kl).toBeGreaterThan(0)
      }),
    )
  })

  it('reparameterisation: the same key gives the same sample, another key another; logVar → −∞ gives the mean', () => {
    tf.tidy(() => {
      const mean = tf.tensor2d([[0.5, -1, 2]])
      const logVar = tf.tensor2d([[0, 1, -1]])
      const a = Array.from(sampleLatent(mean, logVar, Rng.key(4)).dataSync())
      const b = Array.from(sampleLatent(mean, logVar, Rng.key(4)).dataSync())
      const c = Array.from(sampleLatent(mean, logVar, Rng.key(5)).dataSync())
      expect(a).toEqual(b)
      expect(a).not.toEqual(c)
      const eps = Rng.normalF32(Rng.key(4), 3)
      const expected = [0.5, -1, 2].map((m, i) => m + Math.exp(0.5 * ([0, 1, -1][i] as number)) * (eps[i] as number))
      a.forEach((z, i) => {
        expect(z).toBeCloseTo(expected[i] as number, 5)
      })
      const sharp = sampleLatent(mean, tf.fill([1, 3], -60) as tf.Tensor2D, Rng.key(6))
      expect(Array.from(sharp.dataSync())).toEqual(Array.from(mean.dataSync()))
    })
  })

  it('total = reconstruction + beta · kl, kl is the encoder’s closed form, and the loss is a pure function of the key', () => {
    const params = initVae(config)(Rng.key(7))
    const images = rectangles(Rng.key(8), 4)
    const beta4 = { ...config, beta: 4 } as VaeConfig
    tf.tidy(() => {
      const loss = vaeLoss(beta4)(params, images, Rng.key(9))
      const [total, reconstruction, kl] = [loss.total, loss.reconstruction, loss.kl].map(
        (x) => x.dataSync()[0] as number,
      )
      expect(total).toBeCloseTo((reconstruction as number) + 4 * (kl as number), 2)
      const { mean, logVar } = encodeVae(config)(params, images)
      expect(kl).toBeCloseTo(gaussianKl(mean, logVar).dataSync()[0] as number, 5)
      // at initialisation the decoder's logits are near 0: about ln 2 per pixel
      expect((reconstruction as number) / (32 * 32)).toBeGreaterThan(0.5)
      expect((reconstruction as number) / (32 * 32)).toBeLessThan(0.9)
      expect(vaeLoss(beta4)(params, images, Rng.key(9)).total.dataSync()[0]).toBe(total)
      expect(vaeLoss(beta4)(params, images, Rng.key(10)).total.dataSync()[0]).not.toBe(total)
      const mse = vaeLoss({ ...config, reconstruction: 'mse' } as VaeConfig)(params, images, Rng.key(9))
      expect((mse.reconstruction.dataSync()[0] as number) / (32 * 32)).toBeLessThan(0.3)
    })
    disposeParams(params)
    images.dispose()
  })
})

describe('vaeTrainStep', () => {
  it('learns: the reconstruction loss on 32 rectangles falls below half its start within 150 steps', () => {
    const images = rectangles(Rng.key(11), 32)
    const step = vaeTrainStep(config)
    let state = initVaeTrainState(config)(Rng.key(12))
    const history: number[] = []
    for (let i = 0; i < 150; i++) {
      const { state: next, metrics } = step(state, images, Rng.foldIn(Rng.key(13), i))
      expect(Number.isFinite(metrics.total)).toBe(true)
      expect(metrics.total).toBeCloseTo(metrics.reconstruction + metrics.kl, 1)
      history.push(metrics.reconstruction)
      disposeVaeTrainState(state)
      state = next
    }
    expect(state.adam.step).toBe(150)
    const first = history[0] as number
    const last = history.slice(-10).reduce((a, b) => a + b, 0) / 10
    expect(last).toBeLessThan(0.5 * first) // about 0.25 × on wasm
    disposeVaeTrainState(state)
    images.dispose()
  })

  it('does not leak: 100 steps, disposing each replaced state, leave the tensor count unchanged', () => {
    const small = decodeOrThrow(VaeConfigCodec, {
      imageHeight: 8,
      imageWidth: 8,
      latentSize: 2,
      filters: [2, 4],
      kernelSize: 3,
    })
    const images = tf.tidy(() => tf.sigmoid(tf.tensor4d(Rng.normalF32(Rng.key(14), 4 * 64), [4, 8, 8, 1])))
    const step = vaeTrainStep(small)
    let state = initVaeTrainState(small)(Rng.key(15))
    const before = tf.memory().numTensors
    for (let i = 0; i < 100; i++) {
      const { state: next } = step(state, images as tf.Tensor4D, Rng.foldIn(Rng.key(16), i))
      disposeVaeTrainState(state)
      state = next
    }
    expect(tf.memory().numTensors).toBe(before)
    disposeVaeTrainState(state)
    images.dispose()
  })
})
