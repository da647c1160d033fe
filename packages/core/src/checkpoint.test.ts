import { createHash } from 'node:crypto'
import * as fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import '@tensorflow/tfjs-backend-cpu'
import * as tfjs from '@tensorflow/tfjs'
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type CheckpointFs,
  checkpointFiles,
  fileSystemIO,
  isSafeTensorName,
  listCheckpoints,
  loadCheckpoint,
  removeStaleTemporaries,
  saveCheckpoint,
} from './checkpoint.js'

await tf.setBackend('cpu')

const made: string[] = []
const tempDir = async (): Promise<string> => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'polyak-checkpoint-'))
  made.push(dir)
  return dir
}
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => fsp.rm(dir, { recursive: true, force: true })))
})

/** A copy of the raw bytes behind a tensor's values. */
const bytesOf = (t: tf.Tensor): Uint8Array => {
  const data = t.dataSync() as Float32Array | Int32Array | Uint8Array
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice()
}

const entries = async (dir: string): Promise<string[]> => (await fsp.readdir(dir)).sort()

const readJson = async (file: string): Promise<unknown> => JSON.parse(await fsp.readFile(file, 'utf8'))

/** The error a promise rejects with; fails the test when it resolves. */
const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the promise to reject')
}

const injected = (): Error => Object.assign(new Error('injected failure'), { code: 'EIO' })

/** `node:fs/promises` whose `rename` fails when `fails(from, to)` holds. */
const failingRename = (fails: (from: string, to: string) => boolean): CheckpointFs => ({
  ...fsp,
  rename: async (from, to) => {
    if (fails(String(from), String(to))) throw injected()
    return fsp.rename(from, to)
  },
})

const disposeAll = (...maps: readonly tf.NamedTensorMap[]): void => {
  for (const map of maps) tf.dispose(Object.values(map))
}

describe('fileSystemIO', () => {
  const specs: tf.io.WeightsManifestEntry[] = [
    { name: 'a', shape: [2], dtype: 'float32' },
    { name: 'b', shape: [3], dtype: 'int32' },
  ]
  const weightBytes = new Uint8Array(new Float32Array([1.5, -2]).byteLength + new Int32Array(3).byteLength)
  weightBytes.set(new Uint8Array(new Float32Array([1.5, -2]).buffer), 0)
  weightBytes.set(new Uint8Array(new Int32Array([7, -8, 9]).buffer), 8)

  it('stores the standard model.json + weights.bin layout and loads it back, joining split weight data', async () => {
    const dir = path.join(await tempDir(), 'model')
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: { class_name: 'Sequential', config: { layers: [] } },
      format: 'layers-model',
      generatedBy: 'test',
      convertedBy: null,
      weightSpecs: specs,
      // split at a byte that is not a value boundary
      weightData: [weightBytes.slice(0, 5).buffer, weightBytes.slice(5).buffer],
      userDefinedMetadata: { note: { x: 1 } },
    }
    const result = await fileSystemIO(dir).save(artifacts)
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(weightBytes.byteLength)
    expect(await entries(dir)).toEqual(['checksums.json', 'model.json', 'weights.bin'])
    const sha = async (file: string) =>
      createHash('sha256')
        .update(await fsp.readFile(path.join(dir, file)))
        .digest('hex')
    expect(await readJson(path.join(dir, 'checksums.json'))).toEqual({
      algorithm: 'sha256',
      files: {
        'weights.bin': { bytes: weightBytes.byteLength, sha256: await sha('weights.bin') },
        'model.json': { bytes: (await fsp.stat(path.join(dir, 'model.json'))).size, sha256: await sha('model.json') },
      },
    })
    expect(await readJson(path.join(dir, 'model.json'))).toEqual({
      modelTopology: artifacts.modelTopology,
      format: 'layers-model',
      generatedBy: 'test',
      convertedBy: null,
      weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
      userDefinedMetadata: { note: { x: 1 } },
    })
    expect(new Uint8Array(await fsp.readFile(path.join(dir, 'weights.bin')))).toEqual(weightBytes)

    const loaded = await fileSystemIO(dir).load()
    expect(loaded.modelTopology).toEqual(artifacts.modelTopology)
    expect(loaded.format).toBe('layers-model')
    expect(loaded.convertedBy).toBeNull()
    expect(loaded.userDefinedMetadata).toEqual({ note: { x: 1 } })
    expect(loaded.weightSpecs).toEqual(specs)
    expect(new Uint8Array(tf.io.CompositeArrayBuffer.join(loaded.weightData))).toEqual(weightBytes)

    // one ArrayBuffer gives the same files
    const other = path.join(path.dirname(dir), 'single')
    await fileSystemIO(other).save({ ...artifacts, weightData: weightBytes.slice().buffer })
    expect(await fsp.readFile(path.join(other, 'weights.bin'))).toEqual(
      await fsp.readFile(path.join(dir, 'weights.bin')),
    )
  })

  it('saves a LayersModel that tf.loadLayersModel reads back over HTTP, as in a browser, and from disk', async () => {
    const dir = path.join(await tempDir(), 'policy')
    const model = tfjs.sequential({
      layers: [
        tfjs.layers.dense({ inputShape: [3], units: 8, activation: 'relu' }),
        tfjs.layers.dense({ units: 2, activation: 'tanh' }),
      ],
    })
    await model.save(fileSystemIO(dir))
    const requested: string[] = []
    const fetchFunc = async (input: unknown): Promise<Response> => {
      const url = new URL(String(input))
      requested.push(url.pathname)
      const body = await fsp.readFile(path.join(dir, path.posix.basename(url.pathname)))
      return new Response(new Uint8Array(body), { status: 200 })
    }
    const overHttp = await tfjs.loadLayersModel(tf.io.http('https://example.test/policy/model.json', { fetchFunc }))
    const fromDisk = await tfjs.loadLayersModel(fileSystemIO(dir))
    expect(requested).toEqual(['/policy/model.json', '/policy/weights.bin'])
    const x = tf.tensor2d([
      [0.1, -0.2, 0.3],
      [1, 2, -3],
    ])
    const outputs = [model, overHttp, fromDisk].map((m) => m.predict(x) as tf.Tensor)
    const [expected, ...others] = outputs.map(bytesOf)
    for (const bytes of others) expect(bytes).toEqual(expected)
    tf.dispose([x, ...outputs])
    for (const m of [model, overHttp, fromDisk]) m.dispose()
  })

  it('replaces an existing directory; if the swap or a write fails, the old one stays, without temp', async () => {
    const root = await tempDir()
    const dir = path.join(root, 'model')
    const save = (value: number, fs?: CheckpointFs) =>
      fileSystemIO(dir, fs === undefined ? {} : { fs }).save({
        weightSpecs: [{ name: 'v', shape: [1], dtype: 'float32' }],
        weightData: new Float32Array([value]).buffer,
      })
    const stored = async (): Promise<number> => {
      const loaded = await fileSystemIO(dir).load()
      return new Float32Array(tf.io.CompositeArrayBuffer.join(loaded.weightData))[0] as number
    }
    await save(1)
    await save(2)
    expect(await stored()).toBe(2)
    expect(await entries(root)).toEqual(['model'])

    const failures: readonly [string, CheckpointFs][] = [
      ['renaming the new directory into place', failingRename((from) => from.includes('.tmp-'))],
      ['moving the old directory aside', failingRename((_, to) => to.includes('.old-'))],
      [
        'writing weights.bin',
        {
          ...fsp,
          open: async (file, flags) => {
            if (String(file).endsWith('weights.bin')) throw injected()
            return fsp.open(file, flags)
          },
        },
      ],
    ]
    for (const [what, fs] of failures) {
      await expect(save(3, fs), what).rejects.toThrow(`fileSystemIO: saving to ${dir} failed: injected failure`)
      expect(await stored(), what).toBe(2)
      expect(await entries(root), what).toEqual(['model'])
    }

    // when even putting the old directory back fails, the error says where it is, and nothing is deleted
    const stuck = failingRename((from) => from.includes('.tmp-') || from.includes('.old-'))
    const error = await rejection(save(4, stuck))
    expect(error.message).toContain('putting the previous directory back failed')
    const [aside, ...rest] = await entries(root)
    expect(rest).toEqual([])
    expect(aside).toMatch(/^model\.old-/)
    expect(error.message).toContain(`it is now at ${path.join(root, aside ?? '')}`)
    await fsp.rename(path.join(root, aside ?? ''), dir)
    expect(await stored()).toBe(2)
  })

  it('load rejects missing or malformed files with an error naming the file and the problem', async () => {
    const root = await tempDir()
    const dir = path.join(root, 'model')
    const modelJson = path.join(dir, 'model.json')
    const load = () => fileSystemIO(dir).load()
    await expect(load()).rejects.toThrow(`cannot load ${modelJson}: the directory ${dir} does not exist`)
    await fsp.mkdir(dir)
    await expect(load()).rejects.toThrow(`${modelJson} does not exist`)
    await fsp.writeFile(modelJson, '{"weightsManifest": [')
    await expect(load()).rejects.toThrow(`${modelJson} is not valid JSON`)
    await fsp.writeFile(modelJson, '[1, 2]')
    await expect(load()).rejects.toThrow(`${modelJson} must hold a JSON object, got an array`)
    await fsp.writeFile(modelJson, '{"modelTopology": {}}')
    await expect(load()).rejects.toThrow(`${modelJson} is not a valid model.json: weightsManifest is missing`)
    const bad = { weightsManifest: [{ paths: 'weights.bin', weights: [{ name: 'w', shape: [-1], dtype: 'float64' }] }] }
    await fsp.writeFile(modelJson, JSON.stringify(bad))
    const error = await rejection(load())
    expect(error.message).toContain(modelJson)
    expect(error.message).toContain('weightsManifest[0].paths must be an array of non-empty strings')
    expect(error.message).toContain('weightsManifest[0].weights[0].shape must be an array of non-negative integers')
    expect(error.message).toContain(
      '.weights[0].dtype must be one of float32, int32, bool, string, complex64, got string "float64"',
    )

    const manifest = (paths: readonly string[]) => ({
      weightsManifest: [{ paths, weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }],
    })
    await fsp.writeFile(modelJson, JSON.stringify(manifest(['weights.bin'])))
    await expect(load()).rejects.toThrow(
      `the weight file ${path.join(dir, 'weights.bin')} listed in ${modelJson} does not exist`,
    )
    await fsp.writeFile(path.join(dir, 'weights.bin'), new Uint8Array(4))
    await expect(load()).rejects.toThrow('(weights.bin) hold 4 bytes, but its weightsManifest describes 8')
    await fsp.writeFile(modelJson, JSON.stringify(manifest(['../secret.bin'])))
    await expect(load()).rejects.toThrow("lists the weight file '../secret.bin', which is outside")
    // two shards are read in order and joined
    await fsp.writeFile(path.join(dir, 'second.bin'), new Uint8Array(new Float32Array([5]).buffer))
    await fsp.writeFile(path.join(dir, 'weights.bin'), new Uint8Array(new Float32Array([4]).buffer))
    await fsp.writeFile(modelJson, JSON.stringify(manifest(['weights.bin', 'second.bin'])))
    const loaded = await load()
    expect(Array.from(new Float32Array(tf.io.CompositeArrayBuffer.join(loaded.weightData)))).toEqual([4, 5])
  })
})

/** float32 values that a careless encoding would alter: signed zeros, denormals, infinities, extremes, NaN. */
const SPECIAL_FLOATS = [
  0,
  -0,
  2 ** -149,
  -(2 ** -149),
  2 ** -126 - 2 ** -149,
  2 ** -126,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  Number.NaN,
  Math.fround(1 / 3),
]

interface TensorCase {
  readonly name: string
  readonly dtype: 'float32' | 'int32' | 'bool'
  readonly shape: number[]
  readonly values: readonly (number | boolean)[]
}

const valuesOf = (dtype: TensorCase['dtype']): fc.Arbitrary<number | boolean> =>
  dtype === 'float32'
    ? fc.float()
    : dtype === 'int32'
      ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
      : fc.boolean()

const tensorCase: fc.Arbitrary<TensorCase> = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 12 }).filter(isSafeTensorName), // unsafe names are refused: tested below
    dtype: fc.constantFrom('float32' as const, 'int32' as const, 'bool' as const),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ name, dtype, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1)
    return fc
      .array(valuesOf(dtype), { minLength: size, maxLength: size })
      .map((values): TensorCase => ({ name, dtype, shape, values }))
  })

const tensorOf = ({ dtype, shape, values }: TensorCase): tf.Tensor =>
  dtype === 'float32'
    ? tf.tensor(Float32Array.from(values as number[]), shape, 'float32')
    : dtype === 'int32'
      ? tf.tensor(Int32Array.from(values as number[]), shape, 'int32')
      : tf.tensor(values as boolean[], shape, 'bool')

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips float32, int32 and bool tensors bit for bit, and the metadata', async () => {
    const root = await tempDir()
    const tensors = {
      'actor/l0/kernel': tf.tensor2d(Float32Array.from(SPECIAL_FLOATS), [3, 4]),
      counts: tf.tensor1d([-(2 ** 31), 2 ** 31 - 1, 0, -1], 'int32'),
      flags: tf.tensor2d([[true], [false], [true]], [3, 1], 'bool'),
      scalar: tf.scalar(-0),
      empty: tf.zeros([0, 3]),
    }
    const metadata = { config: { tau: 0.005, hidden: [256, 256] }, rng: [1, 2], note: 'ünïcode ✓', none: null }
    const dir = await saveCheckpoint(root, { step: 42, tensors, metadata })
    expect(dir).toBe(path.join(root, 'step-000000000042'))
    expect(await readJson(path.join(root, 'LATEST'))).toEqual({ step: 42, dir: 'step-000000000042' })
    const loaded = await loadCheckpoint(root)
    expect(loaded.step).toBe(42)
    expect(loaded.metadata).toEqual(metadata)
    expect(Object.keys(loaded.tensors).sort()).toEqual(Object.keys(tensors).sort())
    for (const [name, tensor] of Object.entries(tensors)) {
      const back = loaded.tensors[name] as tf.Tensor
      expect(back.dtype, name).toBe(tensor.dtype)
      expect(back.shape, name).toEqual(tensor.shape)
      expect(bytesOf(back), name).toEqual(bytesOf(tensor))
    }
    const kernel = loaded.tensors['actor/l0/kernel']?.dataSync() ?? []
    expect(Object.is(kernel[1], -0)).toBe(true)
    expect(kernel[2]).toBe(2 ** -149)
    expect(Number.isNaN(kernel[10])).toBe(true)
    expect(Object.is(loaded.tensors.scalar?.dataSync()[0], -0)).toBe(true)
    disposeAll(tensors, loaded.tensors)
  })

  it('round-trips random names, dtypes, shapes and values (fc.float included) bit for bit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(tensorCase, { selector: (c) => c.name, maxLength: 5 }),
        fc.nat(),
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        async (cases, step, metadata) => {
          const root = await tempDir()
          const tensors = cases.map((c) => ({ name: c.name, tensor: tensorOf(c) }))
          await saveCheckpoint(root, { step, tensors, metadata })
          const loaded = await loadCheckpoint(root)
          expect(loaded.step).toBe(step)
          // metadata is stored as JSON, so it comes back as JSON.parse(JSON.stringify(metadata)) does
          expect(loaded.metadata).toEqual(JSON.parse(JSON.stringify(metadata)))
          expect(Object.keys(loaded.tensors).sort()).toEqual(cases.map((c) => c.name).sort())
          for (const { name, tensor } of tensors) {
            const back = loaded.tensors[name] as tf.Tensor
            expect(back.dtype).toBe(tensor.dtype)
            expect(back.shape).toEqual(tensor.shape)
            expect(bytesOf(back)).toEqual(bytesOf(tensor))
          }
          tf.dispose(tensors.map((t) => t.tensor))
          disposeAll(loaded.tensors)
          await fsp.rm(root, { recursive: true, force: true })
        },
      ),
      { numRuns: 60 },
    )
  })

  it('refuses tensor names that reach object prototypes, on save and on load (naming model.json)', async () => {
    const root = await tempDir()
    const tensor = tf.tensor1d([3, 4])
    for (const name of ['__proto__', 'actor/constructor', 'critic0/prototype/x']) {
      await expect(saveCheckpoint(root, { step: 1, tensors: [{ name, tensor }], metadata: {} })).rejects.toThrow(
        `the name '${name}' is not allowed`,
      )
    }
    expect(await entries(root)).toEqual([])
    // a checkpoint whose model.json was edited to hold such a name (checksums removed, as in an old checkpoint)
    await saveCheckpoint(root, { step: 1, tensors: { 'actor/w': tensor }, metadata: {} })
    const { modelJson, checksums } = checkpointFiles(root, 1)
    await fsp.writeFile(modelJson, (await fsp.readFile(modelJson, 'utf8')).replace('actor/w', 'actor/__proto__'))
    await expect(loadCheckpoint(root)).rejects.toThrow(`${path.join(root, 'step-000000000001')}`)
    await expect(loadCheckpoint(root)).rejects.toThrow('model.json is damaged')
    await fsp.rm(checksums)
    const before = tf.memory().numTensors
    await expect(loadCheckpoint(root)).rejects.toThrow(
      `${modelJson} names tensors 'actor/__proto__', which are not allowed`,
    )
    expect(tf.memory().numTensors).toBe(before)
    expect(isSafeTensorName('actor/l0/kernel')).toBe(true)
    expect(isSafeTensorName('a\u0000b')).toBe(false)
    tensor.dispose()
  })

  it('verifies every file against checksums.json: any flipped, truncated or grown byte names the file', async () => {
    const root = await tempDir()
    const w = tf.tensor1d(Float32Array.from({ length: 64 }, (_, i) => i / 7))
    await saveCheckpoint(root, { step: 5, tensors: { w }, metadata: { seed: 1 } })
    const files = checkpointFiles(root, 5)
    const good = await loadCheckpoint(root)
    expect(good.verified).toBe(true)
    disposeAll(good.tensors)
    let cases = 0
    for (const file of [files.weights, files.modelJson, files.checksums]) {
      const original = await fsp.readFile(file)
      const damages: Array<[string, Uint8Array]> = [
        ['truncated', original.subarray(0, original.length - 1)],
        ['emptied', new Uint8Array(0)],
        ['grown', Buffer.concat([original, Buffer.from([0])])],
        ['flipped', Buffer.from(original.map((b, i) => (i === original.length >> 1 ? b ^ 0x01 : b)))],
        ['0xFF', Buffer.from(original.map((b, i) => (i < 64 ? 0xff : b)))],
      ]
      for (const [what, bytes] of damages) {
        await fsp.writeFile(file, bytes)
        const before = tf.memory().numTensors
        const error = await rejection(loadCheckpoint(root))
        expect(error.message, `${path.basename(file)} ${what}`).toContain(file)
        expect(tf.memory().numTensors).toBe(before)
        cases += 1
      }
      await fsp.writeFile(file, original)
    }
    expect(cases).toBe(15)
    const again = await loadCheckpoint(root, { requireChecksums: true })
    expect(Array.from(again.tensors.w?.dataSync() ?? [])).toEqual(Array.from(w.dataSync()))
    disposeAll(again.tensors)
    // an old checkpoint without checksums loads unverified, unless checksums are required
    await fsp.rm(files.checksums)
    const old = await loadCheckpoint(root)
    expect(old.verified).toBe(false)
    disposeAll(old.tensors)
    await expect(loadCheckpoint(root, { requireChecksums: true })).rejects.toThrow(
      `${files.dir} has no checksums.json, so its files cannot be verified`,
    )
    w.dispose()
  })

  it('the next save removes the temporary files a killed save left behind (dead processes only)', async () => {
    const root = await tempDir()
    await saveCheckpoint(root, { step: 1, tensors: {}, metadata: {} })
    const dead = 2 ** 22 + 12_345 // above Linux's largest pid
    await fsp.writeFile(path.join(root, `LATEST.tmp-${dead}-3`), 'half')
    await fsp.mkdir(path.join(root, `step-000000000002.tmp-${dead}-4`))
    await fsp.writeFile(path.join(root, `LATEST.tmp-${process.pid}-99`), 'ours')
    await saveCheckpoint(root, { step: 2, tensors: {}, metadata: {} })
    expect(await entries(root)).toEqual([
      'LATEST',
      `LATEST.tmp-${process.pid}-99`,
      'step-000000000001',
      'step-000000000002',
    ])
    await fsp.writeFile(path.join(root, `LATEST.tmp-${dead}-5`), 'half')
    expect(await removeStaleTemporaries(root)).toEqual([`LATEST.tmp-${dead}-5`])
    expect(await removeStaleTemporaries(path.join(root, 'missing'))).toEqual([])
  })

  it('with `like`, fails with one error that lists every missing, unexpected and mis-shaped tensor', async () => {
    const root = await tempDir()
    const tensors = {
      'actor/l0/kernel': tf.zeros([3, 64]),
      'actor/l0/bias': tf.zeros([64]),
      'critic/extra': tf.zeros([1]),
    }
    await saveCheckpoint(root, { step: 1, tensors, metadata: {} })
    const likeBias = tf.zeros([64], 'int32')
    const before = tf.memory().numTensors
    const error = await rejection(
      loadCheckpoint(root, {
        like: { 'actor/l0/kernel': [3, 256], 'actor/l0/bias': likeBias, 'actor/l1/kernel': [64, 1] },
      }),
    )
    expect(error.message).toContain('(4 problems)')
    expect(error.message).toContain("tensor 'actor/l0/kernel' has shape [3,64] in the checkpoint, expected [3,256]")
    expect(error.message).toContain("tensor 'actor/l0/bias' has dtype float32 in the checkpoint, expected int32")
    expect(error.message).toContain("missing tensor 'actor/l1/kernel' (expected shape [64,1])")
    expect(error.message).toContain("unexpected tensor 'critic/extra' with shape [1]")
    expect(tf.memory().numTensors).toBe(before)

    const ok = await loadCheckpoint(root, { like: tensors })
    expect(Object.keys(ok.tensors).sort()).toEqual(Object.keys(tensors).sort())
    disposeAll(tensors, ok.tensors)
    likeBias.dispose()
  })

  it('minStep rejects an older checkpoint; step loads a chosen one', async () => {
    const root = await tempDir()
    await saveCheckpoint(root, { step: 50, tensors: {}, metadata: { at: 50 } })
    await saveCheckpoint(root, { step: 100, tensors: {}, metadata: { at: 100 } })
    await expect(loadCheckpoint(root, { minStep: 200 })).rejects.toThrow(
      'checkpoint at step 100 is older than the required step 200',
    )
    expect((await loadCheckpoint(root, { minStep: 100 })).metadata).toEqual({ at: 100 })
    expect((await loadCheckpoint(root, { step: 50 })).metadata).toEqual({ at: 50 })
    await expect(loadCheckpoint(root, { step: 50, minStep: 60 })).rejects.toThrow('older than the required step 60')
    await expect(loadCheckpoint(root, { minStep: Number.NaN })).rejects.toThrow('minStep must be a number')
    await expect(loadCheckpoint(root, { step: 7 })).rejects.toThrow(
      `no checkpoint for step 7 in ${root} (steps present: 50, 100)`,
    )
  })

  it('says clearly when the root holds no checkpoint', async () => {
    const root = await tempDir()
    const missing = path.join(root, 'nothing-here')
    await expect(loadCheckpoint(missing)).rejects.toThrow(`no checkpoint in ${missing}: the directory does not exist`)
    await expect(loadCheckpoint(root)).rejects.toThrow(`no checkpoint in ${root}: there is no LATEST file`)
    expect(await listCheckpoints(missing)).toEqual([])
    // a complete step directory without LATEST (a crash between the two writes) is reported and loadable by step
    await saveCheckpoint(root, { step: 3, tensors: {}, metadata: {} })
    await fsp.rm(path.join(root, 'LATEST'))
    await expect(loadCheckpoint(root)).rejects.toThrow('(step directories present: 3; pass { step } to load one)')
    expect((await loadCheckpoint(root, { step: 3 })).step).toBe(3)
  })

  it('rejects another checkpoint version, a corrupt model.json and a corrupt LATEST, naming the file', async () => {
    const root = await tempDir()
    await saveCheckpoint(root, { step: 100, tensors: { w: tf.zeros([1]) }, metadata: {} })
    const modelJson = path.join(root, 'step-000000000100', 'model.json')
    await fsp.rm(path.join(root, 'step-000000000100', 'checksums.json')) // as in a checkpoint from before checksums
    const json = (await readJson(modelJson)) as { userDefinedMetadata: Record<string, unknown> }
    expect(json.userDefinedMetadata.polyakCheckpointVersion).toBe(1)

    await fsp.writeFile(
      modelJson,
      JSON.stringify({ ...json, userDefinedMetadata: { ...json.userDefinedMetadata, polyakCheckpointVersion: 2 } }),
    )
    await expect(loadCheckpoint(root)).rejects.toThrow(
      `${modelJson} has polyakCheckpointVersion 2; this version of @polyak/core reads version 1 only`,
    )
    await fsp.writeFile(modelJson, JSON.stringify({ ...json, userDefinedMetadata: undefined }))
    await expect(loadCheckpoint(root)).rejects.toThrow(`${modelJson} is not a polyak checkpoint`)
    await fsp.writeFile(modelJson, '{ "weightsManifest": nope')
    await expect(loadCheckpoint(root)).rejects.toThrow(`${modelJson} is not valid JSON`)
    await fsp.rm(modelJson)
    await expect(loadCheckpoint(root)).rejects.toThrow(`${modelJson} does not exist`)

    const latest = path.join(root, 'LATEST')
    await fsp.writeFile(latest, '{"step": 100, "dir": "../elsewhere"}')
    await expect(loadCheckpoint(root)).rejects.toThrow(`${latest} must hold {"step": n, "dir": "step-<12 digits>"}`)
    await fsp.writeFile(latest, 'garbage')
    await expect(loadCheckpoint(root)).rejects.toThrow(`${latest} is not valid JSON`)
  })

  it('refuses bad steps, empty or repeated tensor names, other dtypes, bad keep and non-object metadata', async () => {
    const root = await tempDir()
    const w = tf.zeros([1])
    const text = tf.tensor1d(['a'], 'string')
    const save = (input: Partial<Parameters<typeof saveCheckpoint>[1]>, keep?: number) =>
      saveCheckpoint(root, { step: 1, tensors: { w }, metadata: {}, ...input }, keep === undefined ? {} : { keep })
    for (const step of [-1, 1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY]) {
      await expect(save({ step })).rejects.toThrow(`step must be a non-negative integer, got ${step}`)
    }
    await expect(save({ tensors: { '': w } })).rejects.toThrow('tensor #0 has an empty name')
    await expect(
      save({
        tensors: [
          { name: 'w', tensor: w },
          { name: 'w', tensor: w },
        ],
      }),
    ).rejects.toThrow("the name 'w' is used more than once")
    await expect(save({ tensors: { text } })).rejects.toThrow("tensor 'text' has dtype string")
    await expect(save({}, 0)).rejects.toThrow('keep must be an integer >= 1, got 0')
    await expect(save({ metadata: [1, 2] })).rejects.toThrow('metadata must be a JSON object, got an array')
    await expect(save({ metadata: { big: 1n } })).rejects.toThrow('metadata is not JSON-serialisable')
    await expect(save({ metadata: { toJSON: () => 'text' } })).rejects.toThrow(
      'metadata must serialise to a JSON object, got string "text"',
    )
    expect(await entries(root)).toEqual([])
    tf.dispose([w, text])
  })

  it('prunes to the `keep` newest checkpoints, always keeping the one LATEST names', async () => {
    const root = await tempDir()
    for (const step of [10, 20, 30]) await saveCheckpoint(root, { step, tensors: {}, metadata: {} })
    expect(await listCheckpoints(root)).toEqual([20, 30]) // default keep = 2
    for (const step of [40, 50]) await saveCheckpoint(root, { step, tensors: {}, metadata: {} }, { keep: 3 })
    expect(await listCheckpoints(root)).toEqual([30, 40, 50])
    // going back to an older step (e.g. after a rollback): it becomes LATEST and survives pruning
    await saveCheckpoint(root, { step: 35, tensors: {}, metadata: { back: true } }, { keep: 2 })
    expect(await listCheckpoints(root)).toEqual([35, 40, 50])
    expect((await loadCheckpoint(root)).metadata).toEqual({ back: true })
    await saveCheckpoint(root, { step: 60, tensors: {}, metadata: {} }, { keep: 1 })
    expect(await listCheckpoints(root)).toEqual([60])
    expect(await entries(root)).toEqual(['LATEST', 'step-000000000060'])
  })

  it('listCheckpoints lists only complete step directories, ascending', async () => {
    const root = await tempDir()
    for (const step of [7, 1_000_000, 3]) await saveCheckpoint(root, { step, tensors: {}, metadata: {} }, { keep: 5 })
    await fsp.mkdir(path.join(root, 'step-000000000009.tmp-1-1'))
    await fsp.mkdir(path.join(root, 'step-000000000011.old-1-2'))
    await fsp.mkdir(path.join(root, 'step-12'))
    await fsp.mkdir(path.join(root, 'notes'))
    await fsp.writeFile(path.join(root, 'step-000000000013'), 'a file, not a directory')
    expect(await listCheckpoints(root)).toEqual([3, 7, 1_000_000])
  })

  it('a failed overwrite of the LATEST step leaves it loadable, unchanged and without temp directories', async () => {
    const root = await tempDir()
    await saveCheckpoint(root, { step: 5, tensors: { w: tf.tensor1d([1, 2, 3]) }, metadata: { good: true } })
    const fs = failingRename((from, to) => from.includes('.tmp-') && to.endsWith('step-000000000005'))
    const attempt = saveCheckpoint(root, { step: 5, tensors: { w: tf.tensor1d([9, 9, 9]) }, metadata: {} }, { fs })
    await expect(attempt).rejects.toThrow('injected failure')
    const loaded = await loadCheckpoint(root)
    expect(loaded.metadata).toEqual({ good: true })
    expect(Array.from(loaded.tensors.w?.dataSync() ?? [])).toEqual([1, 2, 3])
    expect(await entries(root)).toEqual(['LATEST', 'step-000000000005'])
    disposeAll(loaded.tensors)
  })

  it('after a failure at any file operation, LATEST names a complete checkpoint (old or new), no temp', async () => {
    const op = fc.record({ step: fc.integer({ min: 0, max: 6 }), failAt: fc.option(fc.nat(16), { nil: undefined }) })
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 3 }),
        async (ops, keep) => {
          const root = await tempDir()
          let current: { readonly step: number; readonly id: number } | undefined
          for (const [id, { step, failAt }] of ops.entries()) {
            let calls = 0
            const gate = (): void => {
              if (calls++ === failAt) throw injected()
            }
            const fs: CheckpointFs = {
              ...fsp,
              mkdir: (async (...args: Parameters<typeof fsp.mkdir>) => {
                gate()
                return fsp.mkdir(...args)
              }) as typeof fsp.mkdir,
              open: async (...args) => {
                gate()
                return fsp.open(...args)
              },
              rename: async (...args) => {
                gate()
                return fsp.rename(...args)
              },
            }
            const tensors = { id: tf.tensor1d([id], 'int32') }
            const outcome = await saveCheckpoint(root, { step, tensors, metadata: { id } }, { keep, fs }).then(
              () => 'saved',
              (e: unknown) => (e as Error).message,
            )
            tf.dispose(tensors.id)
            const names = await entries(root)
            expect(names.filter((n) => n.includes('.tmp-') || n.includes('.old-'))).toEqual([])
            const loaded = await loadCheckpoint(root).catch(() => undefined)
            if (loaded === undefined) {
              expect(outcome).not.toBe('saved')
              expect(current).toBeUndefined()
              expect(names.includes('LATEST')).toBe(false)
              continue
            }
            const now = { step: loaded.step, id: loaded.metadata.id as number }
            expect(Array.from(loaded.tensors.id?.dataSync() ?? [])).toEqual([now.id])
            disposeAll(loaded.tensors)
            if (outcome === 'saved' || outcome.includes('was saved')) expect(now).toEqual({ step, id })
            else expect([current, { step, id }]).toContainEqual(now)
            current = now
            // every listed checkpoint is complete and loadable, and LATEST's is among them
            const steps = await listCheckpoints(root)
            expect(steps).toContain(now.step)
            for (const s of steps) disposeAll((await loadCheckpoint(root, { step: s })).tensors)
            if (outcome === 'saved') expect(steps.length).toBeLessThanOrEqual(keep + 1)
          }
          await fsp.rm(root, { recursive: true, force: true })
        },
      ),
      { numRuns: 100 },
    )
  })

  it('does not leak tensors over 50 save/load cycles once the loaded tensors are disposed', async () => {
    const root = await tempDir()
    const tensors = { w: tf.randomNormal([16, 8]), b: tf.zeros([8], 'int32'), m: tf.ones([2], 'bool') }
    const before = tf.memory().numTensors
    for (let step = 0; step < 50; step++) {
      await saveCheckpoint(root, { step, tensors, metadata: { step } })
      const loaded = await loadCheckpoint(root, { like: tensors, minStep: step })
      expect(loaded.step).toBe(step)
      disposeAll(loaded.tensors)
    }
    expect(tf.memory().numTensors).toBe(before)
    disposeAll(tensors)
  })
})
