/**
 * Checkpoints on disk (Node only). {@link fileSystemIO} is a tfjs `IOHandler` that stores model artifacts in the
 * standard `model.json` + `weights.bin` layout that `tf.loadLayersModel` reads, and replaces its directory atomically.
 * {@link saveCheckpoint}, {@link loadCheckpoint} and {@link listCheckpoints} build numbered training checkpoints on it:
 *
 * ```text
 * root/
 *   step-000000001000/   model.json, weights.bin   (complete before LATEST names it)
 *   step-000000002000/   model.json, weights.bin
 *   LATEST               {"step":2000,"dir":"step-000000002000"}
 * ```
 *
 * Every write goes to a temporary sibling that is fsynced and then renamed into place, so a crash leaves either the
 * old state or the new one, and `LATEST` only ever names a complete directory. Each directory also holds
 * `checksums.json` (the size and SHA-256 of `model.json` and `weights.bin`, written last, before the directory is
 * renamed into place); loading verifies every file against it before decoding anything. Temporary files left by a
 * process that died during a save (`LATEST.tmp-<pid>-<n>`, `step-….tmp-<pid>-<n>`) are removed by the next save
 * ({@link removeStaleTemporaries}).
 *
 * @module checkpoint
 */
import { createHash } from 'node:crypto'
import * as fsp from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'

// ---------------------------------------------------------------------------------------------------------------
// file system plumbing

/**
 * The `node:fs/promises` functions the checkpoint code uses. Injectable so tests can make a write or a rename fail
 * and check that nothing is left half-done.
 *
 * @example
 * ```ts
 * import * as fsp from 'node:fs/promises'
 *
 * const failingRename: CheckpointFs = { ...fsp, rename: async () => Promise.reject(new Error('disk full')) }
 * await saveCheckpoint('runs/a', { step: 1, tensors: {}, metadata: {} }, { fs: failingRename }) // rejects
 * ```
 */
export type CheckpointFs = Pick<typeof fsp, 'mkdir' | 'open' | 'readFile' | 'readdir' | 'rename' | 'rm' | 'stat'>

const errorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

let uniqueCounter = 0

/** `<pid>-<counter>`: unique among the temporary names this process makes. */
const uniqueSuffix = (): string => {
  uniqueCounter += 1
  return `${process.pid}-${uniqueCounter}`
}

/** Writes a file and fsyncs it before closing. */
const writeFileSynced = async (fs: CheckpointFs, file: string, data: string | Uint8Array): Promise<void> => {
  const handle = await fs.open(file, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Errors that mean "this platform cannot fsync a directory" (Windows, some network file systems). */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EBADF'])

/** Fsyncs a directory so that the renames inside it are durable; skipped where the platform cannot do it. */
const syncDirectory = async (fs: CheckpointFs, dir: string): Promise<void> => {
  let handle: fsp.FileHandle
  try {
    handle = await fs.open(dir, 'r')
  } catch (error) {
    if (DIRECTORY_SYNC_UNSUPPORTED.has(String(errorCode(error)))) return
    throw error
  }
  try {
    await handle.sync()
  } catch (error) {
    if (!DIRECTORY_SYNC_UNSUPPORTED.has(String(errorCode(error)))) throw error
  } finally {
    await handle.close()
  }
}

/** Reads a file, or `undefined` when it does not exist. */
const readIfPresent = async (fs: CheckpointFs, file: string): Promise<Buffer | undefined> => {
  try {
    return await fs.readFile(file)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}

const exists = async (fs: CheckpointFs, target: string): Promise<boolean> => {
  try {
    await fs.stat(target)
    return true
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return false
    throw error
  }
}

/** A copy of the bytes of a Node buffer as an ArrayBuffer of its own (read buffers may share a pool). */
const toArrayBuffer = (buffer: Uint8Array): ArrayBuffer =>
  buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer

/**
 * Replaces `dir` by the complete directory `temp`: the old `dir` (if any) is renamed aside, `temp` renamed to `dir`,
 * and the old one removed. When the second rename fails the old directory is put back.
 */
const swapDirectory = async (fs: CheckpointFs, temp: string, dir: string): Promise<void> => {
  const old = `${dir}.old-${uniqueSuffix()}`
  let movedAside = false
  try {
    await fs.rename(dir, old)
    movedAside = true
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
  }
  try {
    await fs.rename(temp, dir)
  } catch (error) {
    if (!movedAside) throw error
    try {
      await fs.rename(old, dir)
    } catch (restoreError) {
      throw new Error(
        `${messageOf(error)}; then putting the previous directory back failed (${messageOf(restoreError)}): ` +
          `it is now at ${old}`,
        { cause: error },
      )
    }
    throw error
  }
  // The new directory is in place; failing to delete the old copy loses nothing, so it does not fail the save.
  if (movedAside) await fs.rm(old, { recursive: true, force: true }).catch(() => undefined)
  await syncDirectory(fs, path.dirname(dir))
}

// ---------------------------------------------------------------------------------------------------------------
// model.json

const MODEL_JSON = 'model.json'
const WEIGHTS_BIN = 'weights.bin'
const CHECKSUMS_JSON = 'checksums.json'

/** The SHA-256 of some bytes, as 64 lower-case hex digits. */
const sha256 = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** The size and SHA-256 of one file, as `checksums.json` records it. */
interface FileChecksum {
  readonly bytes: number
  readonly sha256: string
}

const SHA256_HEX = /^[0-9a-f]{64}$/

/** Parses and checks the text of a checksums.json: `{"algorithm":"sha256","files":{name:{bytes,sha256}}}`. */
const parseChecksums = (text: string, file: string): ReadonlyMap<string, FileChecksum> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new Error(`fileSystemIO: ${file} is not valid JSON: ${messageOf(error)}`)
  }
  const problems: string[] = []
  if (!isRecord(json)) problems.push(`it must hold a JSON object, got ${kindOf(json)}`)
  else {
    if (json.algorithm !== 'sha256') problems.push(`algorithm must be "sha256", got ${kindOf(json.algorithm)}`)
    if (!isRecord(json.files)) problems.push(`files must be an object, got ${kindOf(json.files)}`)
    else {
      for (const [name, entry] of Object.entries(json.files)) {
        if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
          problems.push(`files lists '${name}', which is not a plain file name`)
        } else if (
          !(isRecord(entry) && Number.isSafeInteger(entry.bytes) && (entry.bytes as number) >= 0) ||
          !(typeof entry.sha256 === 'string' && SHA256_HEX.test(entry.sha256))
        ) {
          problems.push(`files['${name}'] must be {"bytes": n, "sha256": "<64 hex digits>"}`)
        }
      }
    }
  }
  if (problems.length === 0 && text !== `${JSON.stringify(json)}\n`) {
    problems.push('it is not byte for byte the JSON that save writes (it was edited)')
  }
  if (problems.length > 0)
    throw new Error(`fileSystemIO: ${file} is not a valid checksums file: ${problems.join('; ')}`)
  return new Map(Object.entries((json as { files: Record<string, FileChecksum> }).files))
}

/** Throws, naming the file, when `bytes` are not what the checksum records. */
const verifyChecksum = (
  file: string,
  bytes: Uint8Array,
  expected: FileChecksum | undefined,
  checksumsFile: string,
): void => {
  if (expected === undefined) {
    throw new Error(`fileSystemIO: ${file} is not listed in ${checksumsFile}, so it cannot be verified`)
  }
  if (bytes.byteLength !== expected.bytes) {
    throw new Error(
      `fileSystemIO: ${file} is damaged: it holds ${bytes.byteLength} bytes, but ${checksumsFile} records ` +
        `${expected.bytes}`,
    )
  }
  const actual = sha256(bytes)
  if (actual !== expected.sha256) {
    throw new Error(
      `fileSystemIO: ${file} is damaged: its SHA-256 is ${actual}, but ${checksumsFile} records ${expected.sha256}`,
    )
  }
}

const DTYPES = ['float32', 'int32', 'bool', 'string', 'complex64'] as const
const QUANTIZATION_DTYPES = ['uint8', 'uint16', 'float16'] as const
const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const kindOf = (u: unknown): string =>
  u === null
    ? 'null'
    : Array.isArray(u)
      ? 'an array'
      : typeof u === 'object'
        ? 'an object'
        : `${typeof u} ${JSON.stringify(u)}`

const isShape = (u: unknown): u is number[] =>
  Array.isArray(u) && u.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)

/** Problems with one weight entry of a manifest, each prefixed with its JSON path. */
const weightEntryProblems = (entry: unknown, at: string): readonly string[] => {
  if (!isRecord(entry)) return [`${at} must be an object, got ${kindOf(entry)}`]
  const problems: string[] = []
  if (typeof entry.name !== 'string' || entry.name === '') {
    problems.push(`${at}.name must be a non-empty string, got ${kindOf(entry.name)}`)
  }
  if (!isShape(entry.shape)) problems.push(`${at}.shape must be an array of non-negative integers`)
  if (!(DTYPES as readonly unknown[]).includes(entry.dtype)) {
    problems.push(`${at}.dtype must be one of ${DTYPES.join(', ')}, got ${kindOf(entry.dtype)}`)
  }
  const q = entry.quantization
  if (q !== undefined && !(isRecord(q) && (QUANTIZATION_DTYPES as readonly unknown[]).includes(q.dtype))) {
    problems.push(`${at}.quantization must be an object whose dtype is one of ${QUANTIZATION_DTYPES.join(', ')}`)
  }
  return problems
}

/** Problems with a `weightsManifest`, each prefixed with its JSON path. */
const manifestProblems = (manifest: unknown): readonly string[] => {
  if (!Array.isArray(manifest)) return [`weightsManifest must be an array, got ${kindOf(manifest)}`]
  return manifest.flatMap((group: unknown, g): readonly string[] => {
    const at = `weightsManifest[${g}]`
    if (!isRecord(group)) return [`${at} must be an object, got ${kindOf(group)}`]
    const problems: string[] = []
    if (!(Array.isArray(group.paths) && group.paths.every((p) => typeof p === 'string' && p !== ''))) {
      problems.push(`${at}.paths must be an array of non-empty strings`)
    }
    if (Array.isArray(group.weights)) {
      problems.push(...group.weights.flatMap((entry: unknown, w) => weightEntryProblems(entry, `${at}.weights[${w}]`)))
    } else problems.push(`${at}.weights must be an array, got ${kindOf(group.weights)}`)
    return problems
  })
}

/** Parses and checks the text of a model.json; the error names the file and every problem found. */
const parseModelJson = (text: string, file: string): tf.io.ModelJSON => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new Error(`fileSystemIO: ${file} is not valid JSON: ${messageOf(error)}`)
  }
  if (!isRecord(json)) throw new Error(`fileSystemIO: ${file} must hold a JSON object, got ${kindOf(json)}`)
  const problems: string[] = []
  if (json.modelTopology !== undefined && !isRecord(json.modelTopology)) {
    problems.push(`modelTopology must be an object, got ${kindOf(json.modelTopology)}`)
  }
  if (json.weightsManifest === undefined) problems.push('weightsManifest is missing')
  else problems.push(...manifestProblems(json.weightsManifest))
  for (const key of ['format', 'generatedBy'] as const) {
    if (json[key] !== undefined && typeof json[key] !== 'string') {
      problems.push(`${key} must be a string, got ${kindOf(json[key])}`)
    }
  }
  if (json.convertedBy !== undefined && json.convertedBy !== null && typeof json.convertedBy !== 'string') {
    problems.push(`convertedBy must be a string or null, got ${kindOf(json.convertedBy)}`)
  }
  for (const key of ['userDefinedMetadata', 'signature', 'trainingConfig'] as const) {
    if (json[key] !== undefined && !isRecord(json[key])) {
      problems.push(`${key} must be an object, got ${kindOf(json[key])}`)
    }
  }
  if (problems.length > 0) throw new Error(`fileSystemIO: ${file} is not a valid model.json: ${problems.join('; ')}`)
  return json as unknown as tf.io.ModelJSON
}

/** The number of bytes the weights of `specs` take, or `undefined` when a string tensor makes it data-dependent. */
const expectedByteLength = (specs: readonly tf.io.WeightsManifestEntry[]): number | undefined => {
  let total = 0
  for (const spec of specs) {
    if (spec.dtype === 'string') return undefined
    const size = spec.shape.reduce((a, b) => a * b, 1)
    total += size * (BYTES_PER_ELEMENT[spec.quantization?.dtype ?? spec.dtype] ?? 0)
  }
  return total
}

/** The model.json for artifacts whose weights are stored in `weights.bin`, in the layout tfjs writes and reads. */
const modelJsonFor = (artifacts: tf.io.ModelArtifacts): Record<string, unknown> => {
  const optional = ['trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature']
  return {
    ...(artifacts.modelTopology === undefined ? {} : { modelTopology: artifacts.modelTopology }),
    ...(artifacts.format === undefined ? {} : { format: artifacts.format }),
    ...(artifacts.generatedBy === undefined ? {} : { generatedBy: artifacts.generatedBy }),
    ...(artifacts.convertedBy === undefined ? {} : { convertedBy: artifacts.convertedBy }),
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    ...Object.fromEntries(
      optional.flatMap((key) => {
        const value = (artifacts as Record<string, unknown>)[key]
        return value === undefined ? [] : [[key, value]]
      }),
    ),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// fileSystemIO

/**
 * Options of {@link fileSystemIO}.
 *
 * @example
 * ```ts
 * const io = fileSystemIO('exports/policy', { fs: instrumentedFs })
 * ```
 */
export interface FileSystemIOOptions {
  /** The file system functions to use (defaults to `node:fs/promises`); tests inject failures through it. */
  readonly fs?: CheckpointFs
  /**
   * `load` refuses a directory without `checksums.json` (default `false`: such a directory, e.g. written by another
   * tool or an older polyak, loads with its structure checked but its bytes unverified).
   */
  readonly requireChecksums?: boolean
}

/**
 * A tfjs IOHandler that always has both `save` and `load`, so they can be called without a check.
 *
 * @example
 * ```ts
 * const artifacts = await fileSystemIO('exports/policy').load()
 * ```
 */
export interface FileSystemIOHandler extends tf.io.IOHandler {
  /** Writes the artifacts; resolves once the directory is durably in place. */
  readonly save: tf.io.SaveHandler
  /** Reads the artifacts back, with the weights of every manifest group joined into one ArrayBuffer. */
  readonly load: tf.io.LoadHandler
}

/**
 * A tfjs `IOHandler` that stores model artifacts in the directory `dir` as `model.json` (the standard tfjs layout:
 * `modelTopology`, `format`, `generatedBy`, `convertedBy`, `weightsManifest: [{ paths: ['weights.bin'], weights }]`,
 * `userDefinedMetadata`, …) and `weights.bin`, so the files also load in a browser with `tf.loadLayersModel(url)`.
 *
 * `save` is atomic: it writes into a sibling `${dir}.tmp-<pid>-<n>`, fsyncs the files, then moves an existing `dir`
 * aside, renames the new directory into place and deletes the old one. If anything fails the temporary directory is
 * removed and the previous `dir` is left as it was. The parent directory is created when missing. The last file
 * written is `checksums.json`: the size and SHA-256 of `weights.bin` and `model.json`.
 *
 * `load` reads `model.json` and every weight file its manifest lists, and rejects with an Error that names the file
 * and what is wrong when a file is missing, is not valid JSON, does not have the expected shape, holds fewer or
 * more weight bytes than the manifest describes, or (when `checksums.json` is present) differs in size or SHA-256
 * from what `checksums.json` records. Each file is verified before it is parsed. Weight paths must stay inside `dir`.
 *
 * @param dir - the directory that holds (or will hold) `model.json` and `weights.bin`
 * @throws from `save` when the artifacts hold a binary (GraphDef) topology or weight bytes that disagree with their
 *   specs
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs' // the LayersModel API is in the full package
 * import { fileSystemIO } from '@polyak/core'
 *
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] })
 * await model.save(fileSystemIO('exports/policy'))
 * const again = await tf.loadLayersModel(fileSystemIO('exports/policy'))
 * ```
 */
export const fileSystemIO = (dir: string, options: FileSystemIOOptions = {}): FileSystemIOHandler => {
  const fs = options.fs ?? fsp
  const target = path.resolve(dir)
  const modelJsonPath = path.join(target, MODEL_JSON)
  const checksumsPath = path.join(target, CHECKSUMS_JSON)

  const save = async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw new Error(`fileSystemIO: cannot save to ${target}: binary (GraphDef) model topologies are not supported`)
    }
    const specs = artifacts.weightSpecs ?? []
    const weights = new Uint8Array(
      artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData),
    )
    const expected = expectedByteLength(specs)
    if (expected !== undefined && expected !== weights.byteLength) {
      throw new Error(
        `fileSystemIO: cannot save to ${target}: the weight specs describe ${expected} bytes but weightData holds ` +
          `${weights.byteLength}`,
      )
    }
    const modelJson = JSON.stringify(modelJsonFor(artifacts))
    const temp = `${target}.tmp-${uniqueSuffix()}`
    try {
      await fs.mkdir(path.dirname(target), { recursive: true })
      await fs.mkdir(temp)
      await writeFileSynced(fs, path.join(temp, WEIGHTS_BIN), weights)
      await writeFileSynced(fs, path.join(temp, MODEL_JSON), modelJson)
      const modelBytes = Buffer.from(modelJson, 'utf8')
      const checksums = {
        algorithm: 'sha256',
        files: {
          [WEIGHTS_BIN]: { bytes: weights.byteLength, sha256: sha256(weights) },
          [MODEL_JSON]: { bytes: modelBytes.byteLength, sha256: sha256(modelBytes) },
        },
      }
      await writeFileSynced(fs, path.join(temp, CHECKSUMS_JSON), `${JSON.stringify(checksums)}\n`)
      await syncDirectory(fs, temp)
      await swapDirectory(fs, temp, target)
    } catch (error) {
      await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined)
      throw new Error(`fileSystemIO: saving to ${target} failed: ${messageOf(error)}`, { cause: error })
    }
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
  }

  /** Reads the weight files, verifying each against `checksums` (`undefined`: the directory has none). */
  const loadWeights = async (
    manifest: tf.io.WeightsManifestConfig,
    checksums: ReadonlyMap<string, FileChecksum> | undefined,
  ): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> => {
    const specs = manifest.flatMap((group) => group.weights)
    const files = manifest.flatMap((group) => group.paths)
    const buffers: ArrayBuffer[] = []
    const verified = new Set([MODEL_JSON])
    for (const file of files) {
      const full = path.resolve(target, file)
      const relative = path.relative(target, full)
      if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
        throw new Error(`fileSystemIO: ${modelJsonPath} lists the weight file '${file}', which is outside ${target}`)
      }
      const bytes = await readIfPresent(fs, full)
      if (bytes === undefined) {
        throw new Error(`fileSystemIO: the weight file ${full} listed in ${modelJsonPath} does not exist`)
      }
      if (checksums !== undefined) {
        verifyChecksum(full, bytes, checksums.get(relative), checksumsPath)
        verified.add(relative)
      }
      buffers.push(toArrayBuffer(bytes))
    }
    if (checksums !== undefined) {
      const unused = [...checksums.keys()].filter((name) => !verified.has(name))
      if (unused.length > 0) {
        throw new Error(
          `fileSystemIO: ${checksumsPath} lists ${unused.join(', ')}, which ${modelJsonPath} does not use ` +
            '(the directory is not the one the checksums were made for)',
        )
      }
    }
    const data = tf.io.CompositeArrayBuffer.join(buffers)
    const expected = expectedByteLength(specs)
    if (expected !== undefined && expected !== data.byteLength) {
      throw new Error(
        `fileSystemIO: the weight files of ${modelJsonPath} (${files.join(', ')}) hold ${data.byteLength} bytes, ` +
          `but its weightsManifest describes ${expected}`,
      )
    }
    return [specs, data]
  }

  const load = async (): Promise<tf.io.ModelArtifacts> => {
    let text: Buffer | undefined
    try {
      text = await readIfPresent(fs, modelJsonPath)
    } catch (error) {
      throw new Error(`fileSystemIO: cannot read ${modelJsonPath}: ${messageOf(error)}`, { cause: error })
    }
    if (text === undefined) {
      throw new Error(
        (await exists(fs, target))
          ? `fileSystemIO: ${modelJsonPath} does not exist`
          : `fileSystemIO: cannot load ${modelJsonPath}: the directory ${target} does not exist`,
      )
    }
    const checksumsText = await readIfPresent(fs, checksumsPath)
    const checksums =
      checksumsText === undefined ? undefined : parseChecksums(checksumsText.toString('utf8'), checksumsPath)
    if (checksums === undefined && options.requireChecksums === true) {
      throw new Error(
        `fileSystemIO: ${target} has no ${CHECKSUMS_JSON}, so its files cannot be verified (it was written by ` +
          'another tool or an older version)',
      )
    }
    if (checksums !== undefined) verifyChecksum(modelJsonPath, text, checksums.get(MODEL_JSON), checksumsPath)
    return tf.io.getModelArtifactsForJSON(parseModelJson(text.toString('utf8'), modelJsonPath), (manifest) =>
      loadWeights(manifest, checksums),
    )
  }

  return { save, load }
}

// ---------------------------------------------------------------------------------------------------------------
// checkpoints

/**
 * The version of the checkpoint layout, written into `userDefinedMetadata.polyakCheckpointVersion` of every
 * checkpoint's model.json; {@link loadCheckpoint} refuses any other version.
 *
 * @example
 * ```ts
 * const json = JSON.parse(await readFile('runs/a/step-000000000100/model.json', 'utf8'))
 * json.userDefinedMetadata.polyakCheckpointVersion === CHECKPOINT_VERSION // true
 * ```
 */
export const CHECKPOINT_VERSION = 1

const CHECKPOINT_FORMAT = 'polyak-checkpoint'
const LATEST = 'LATEST'
const STEP_DIGITS = 12
const STEP_DIR = /^step-(\d+)$/
const TENSOR_DTYPES: readonly string[] = ['float32', 'int32', 'bool']

/**
 * A checkpoint to write: the training step, named tensors and JSON metadata.
 *
 * @example
 * ```ts
 * const input: CheckpointInput = { step: 5000, tensors: { ...prefixParams('actor/', actor) }, metadata: { seed: 1 } }
 * ```
 */
export interface CheckpointInput {
  /** The training step; a non-negative integer, used to name the directory. */
  readonly step: number
  /** The tensors to store (float32, int32 or bool). An array form may be given to keep a chosen order. */
  readonly tensors: tf.NamedTensorMap | readonly { readonly name: string; readonly tensor: tf.Tensor }[]
  /** Anything `JSON.stringify` stores faithfully (configs, counters, RNG keys): `NaN` and `undefined` are not. */
  readonly metadata: object
}

/**
 * A checkpoint read back by {@link loadCheckpoint}. The caller owns `tensors` and disposes them.
 *
 * @example
 * ```ts
 * const { step, tensors }: Checkpoint = await loadCheckpoint('runs/a')
 * disposeParams(tensors)
 * ```
 */
export interface Checkpoint {
  /** The training step of the checkpoint. */
  readonly step: number
  /** The stored tensors, freshly allocated. */
  readonly tensors: Readonly<tf.NamedTensorMap>
  /** The metadata as parsed from JSON; validate it (e.g. with an io-ts codec) before trusting its shape. */
  readonly metadata: Readonly<Record<string, unknown>>
  /**
   * Whether every file was verified against the directory's `checksums.json`. `false` only for a checkpoint written
   * before checksums existed (loaded with its structure checked, since `requireChecksums` was not set).
   */
  readonly verified: boolean
}

/**
 * Options of {@link saveCheckpoint}.
 *
 * @example
 * ```ts
 * await saveCheckpoint('runs/a', checkpoint, { keep: 5 })
 * ```
 */
export interface SaveCheckpointOptions {
  /** How many of the newest checkpoints to keep (default 2, at least 1); the one `LATEST` names is always kept. */
  readonly keep?: number
  /** The file system functions to use (defaults to `node:fs/promises`). */
  readonly fs?: CheckpointFs
}

/**
 * Options of {@link loadCheckpoint}.
 *
 * @example
 * ```ts
 * await loadCheckpoint('runs/a', { like: { 'actor/l0/kernel': [3, 256] }, minStep: 10_000 })
 * ```
 */
export interface LoadCheckpointOptions {
  /** Expected tensor names and shapes (arrays or tensors); any missing, extra or reshaped tensor is an error. */
  readonly like?: Readonly<Record<string, readonly number[] | tf.Tensor>>
  /** Reject a checkpoint older than this step. */
  readonly minStep?: number
  /** Load this step instead of the one `LATEST` names. */
  readonly step?: number
  /** Refuse a checkpoint without `checksums.json` (one written before checksums existed); default `false`. */
  readonly requireChecksums?: boolean
}

/**
 * The files of the checkpoint of `step` under `root`, for messages and tools.
 *
 * @example
 * ```ts
 * checkpointFiles('runs/a', 100).weights // 'runs/a/step-000000000100/weights.bin'
 * ```
 */
export const checkpointFiles = (root: string, step: number) => {
  const dir = path.join(root, stepDirName(step))
  return {
    dir,
    modelJson: path.join(dir, MODEL_JSON),
    weights: path.join(dir, WEIGHTS_BIN),
    checksums: path.join(dir, CHECKSUMS_JSON),
  }
}

/** Path segments of a tensor name that would reach an object's prototype when the name becomes a key. */
const UNSAFE_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * Whether a tensor name is safe to use as an object key, segment by segment (`actor/l0/kernel`): no segment is
 * `__proto__`, `constructor` or `prototype`, and the name holds no control characters.
 *
 * @example
 * ```ts
 * isSafeTensorName('actor/l0/kernel') // true
 * isSafeTensorName('actor/__proto__') // false
 * ```
 */
export const isSafeTensorName = (name: string): boolean =>
  name.split('/').every((segment) => !UNSAFE_SEGMENTS.has(segment)) && !/\p{Cc}/u.test(name)

/** `<name>.tmp-<pid>[-<n>]` and `<name>.old-<pid>-<n>`: what an interrupted save leaves. */
const TEMPORARY = /\.(?:tmp|old)-(\d+)(?:-\d+)?$/

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errorCode(error) === 'EPERM'
  }
}

/**
 * Removes what interrupted saves left in `dir`: entries named `<name>.tmp-<pid>[-<n>]` or `<name>.old-<pid>-<n>`
 * (temporary files and directories of {@link saveCheckpoint}, {@link fileSystemIO} and atomic writes) whose process
 * is not this one and no longer runs. Resolves to the names removed (none when `dir` does not exist).
 * {@link saveCheckpoint} calls it on its root before it writes.
 *
 * @example
 * ```ts
 * await removeStaleTemporaries('runs/a/checkpoints/learner') // ['LATEST.tmp-4242-7'] after a kill -9 during a save
 * ```
 */
export const removeStaleTemporaries = async (dir: string, options: { readonly fs?: CheckpointFs } = {}) => {
  const fs = options.fs ?? fsp
  let names: string[]
  try {
    names = (await fs.readdir(dir)).map(String)
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return []
    throw error
  }
  const removed: string[] = []
  for (const name of names) {
    const pid = Number(TEMPORARY.exec(name)?.[1])
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue
    await fs.rm(path.join(dir, name), { recursive: true, force: true })
    removed.push(name)
  }
  return removed
}

const stepDirName = (step: number): string => `step-${String(step).padStart(STEP_DIGITS, '0')}`

/** The step a directory name stands for, or `undefined` unless the name is exactly what {@link stepDirName} makes. */
const parseStepDirName = (name: string): number | undefined => {
  const digits = STEP_DIR.exec(name)?.[1]
  if (digits === undefined) return undefined
  const step = Number(digits)
  return Number.isSafeInteger(step) && stepDirName(step) === name ? step : undefined
}

const isStep = (step: unknown): step is number => typeof step === 'number' && Number.isSafeInteger(step) && step >= 0

const formatShape = (shape: readonly number[]): string => `[${shape.join(',')}]`

/** The tensors as an ordered list, refusing empty or repeated names and unsupported dtypes. */
const namedTensors = (tensors: CheckpointInput['tensors']): { name: string; tensor: tf.Tensor }[] => {
  const list = Array.isArray(tensors)
    ? tensors.map(({ name, tensor }: { readonly name: string; readonly tensor: tf.Tensor }) => ({ name, tensor }))
    : Object.entries(tensors as tf.NamedTensorMap).map(([name, tensor]) => ({ name, tensor }))
  const problems: string[] = []
  const seen = new Set<string>()
  list.forEach(({ name, tensor }, i) => {
    if (typeof name !== 'string' || name === '') problems.push(`tensor #${i} has an empty name`)
    else if (!isSafeTensorName(name)) problems.push(`the name '${name}' is not allowed (__proto__, constructor, …)`)
    else if (seen.has(name)) problems.push(`the name '${name}' is used more than once`)
    else seen.add(name)
    if (!TENSOR_DTYPES.includes(tensor.dtype)) {
      problems.push(`tensor '${name}' has dtype ${tensor.dtype}; only ${TENSOR_DTYPES.join(', ')} are supported`)
    }
  })
  if (problems.length > 0) throw new Error(`saveCheckpoint: invalid tensors: ${problems.join('; ')}`)
  return list
}

/** Writes `root/LATEST` atomically: temporary file, fsync, rename, fsync of `root`. */
const writePointer = async (fs: CheckpointFs, root: string, step: number): Promise<void> => {
  const file = path.join(root, LATEST)
  const temp = `${file}.tmp-${uniqueSuffix()}`
  try {
    await writeFileSynced(fs, temp, `${JSON.stringify({ step, dir: stepDirName(step) })}\n`)
    await fs.rename(temp, file)
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined)
    throw error
  }
  await syncDirectory(fs, root)
}

/** The step `root/LATEST` names, or `undefined` when there is no LATEST file. */
const readPointer = async (fs: CheckpointFs, root: string): Promise<number | undefined> => {
  const file = path.join(root, LATEST)
  const bytes = await readIfPresent(fs, file)
  if (bytes === undefined) return undefined
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw new Error(`loadCheckpoint: ${file} is not valid JSON: ${messageOf(error)}`)
  }
  if (!(isRecord(json) && isStep(json.step) && json.dir === stepDirName(json.step))) {
    throw new Error(
      `loadCheckpoint: ${file} must hold {"step": n, "dir": "step-<${STEP_DIGITS} digits>"}, got ${bytes}`,
    )
  }
  return json.step
}

const listSteps = async (fs: CheckpointFs, root: string): Promise<number[]> => {
  let entries: Awaited<ReturnType<typeof listDirents>>
  try {
    entries = await listDirents(fs, root)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return []
    throw error
  }
  return entries
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const step = parseStepDirName(entry.name)
      return step === undefined ? [] : [step]
    })
    .sort((a, b) => a - b)
}

const listDirents = (fs: CheckpointFs, root: string) => fs.readdir(root, { withFileTypes: true })

/** Removes the checkpoints outside the `keep` newest and the protected steps; each one is renamed away first. */
const prune = async (fs: CheckpointFs, root: string, keep: number, protect: ReadonlySet<number>): Promise<void> => {
  const steps = await listSteps(fs, root)
  const kept = new Set([...steps.slice(-keep), ...protect])
  const problems: string[] = []
  for (const step of steps.filter((s) => !kept.has(s))) {
    const dir = path.join(root, stepDirName(step))
    const doomed = `${dir}.old-${uniqueSuffix()}`
    try {
      await fs.rename(dir, doomed)
      await fs.rm(doomed, { recursive: true, force: true })
    } catch (error) {
      problems.push(`${dir}: ${messageOf(error)}`)
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '))
}

/**
 * Writes a checkpoint to `root/step-<12-digit step>/` with {@link fileSystemIO}, then points `root/LATEST` at it
 * (`{"step": n, "dir": "step-…"}`, written to a temporary file, fsynced and renamed), then deletes the older
 * checkpoints beyond the `keep` newest (never the one LATEST names). Saving a step that exists replaces it atomically.
 *
 * Tensor values are stored bit for bit (NaN, ±Infinity, -0 and denormals included); the metadata is stored as JSON
 * with `polyakCheckpointVersion` beside it. The tensors are only read, never disposed.
 *
 * @param root - the checkpoint directory of one run (created when missing)
 * @returns the directory written
 * @throws when `step` is not a non-negative integer, a tensor name is empty or repeated, a dtype is not float32,
 *   int32 or bool, the metadata is not a JSON object, or writing fails (the previous checkpoint and LATEST are then
 *   untouched). When only the pruning fails, the error says that the checkpoint was saved.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { saveCheckpoint } from '@polyak/core'
 *
 * const tensors = { 'actor/l0/kernel': tf.zeros([3, 64]), 'actor/l0/bias': tf.zeros([64]) }
 * const dir = await saveCheckpoint('runs/pendulum', { step: 1000, tensors, metadata: { seed: 7 } }, { keep: 3 })
 * // dir === 'runs/pendulum/step-000000001000'
 * ```
 */
export const saveCheckpoint = async (
  root: string,
  checkpoint: CheckpointInput,
  options: SaveCheckpointOptions = {},
): Promise<string> => {
  const { step, tensors, metadata } = checkpoint
  const keep = options.keep ?? 2
  const fs = options.fs ?? fsp
  if (!isStep(step)) throw new RangeError(`saveCheckpoint: step must be a non-negative integer, got ${step}`)
  if (!(Number.isSafeInteger(keep) && keep >= 1)) {
    throw new RangeError(`saveCheckpoint: keep must be an integer >= 1, got ${keep}`)
  }
  if (!isRecord(metadata)) {
    throw new TypeError(`saveCheckpoint: metadata must be a JSON object, got ${kindOf(metadata)}`)
  }
  let storedMetadata: unknown
  try {
    storedMetadata = JSON.parse(JSON.stringify(metadata))
  } catch (error) {
    throw new TypeError(`saveCheckpoint: metadata is not JSON-serialisable: ${messageOf(error)}`, { cause: error })
  }
  if (!isRecord(storedMetadata)) {
    throw new TypeError(`saveCheckpoint: metadata must serialise to a JSON object, got ${kindOf(storedMetadata)}`)
  }
  const { data, specs } = await tf.io.encodeWeights(namedTensors(tensors))
  const dir = path.join(root, stepDirName(step))
  await removeStaleTemporaries(root, { fs }).catch(() => undefined)
  await fileSystemIO(dir, { fs }).save({
    format: CHECKPOINT_FORMAT,
    generatedBy: '@polyak/core saveCheckpoint',
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
    userDefinedMetadata: { polyakCheckpointVersion: CHECKPOINT_VERSION, step, metadata: storedMetadata },
  })
  try {
    await writePointer(fs, root, step)
  } catch (error) {
    const latest = path.join(root, LATEST)
    throw new Error(`saveCheckpoint: wrote ${dir} but could not update ${latest}: ${messageOf(error)}`, {
      cause: error,
    })
  }
  try {
    const pointed = await readPointer(fs, root)
    await prune(fs, root, keep, new Set(pointed === undefined ? [step] : [step, pointed]))
  } catch (error) {
    throw new Error(
      `saveCheckpoint: step ${step} was saved to ${dir} and LATEST points to it, but pruning older checkpoints ` +
        `failed: ${messageOf(error)}`,
      { cause: error },
    )
  }
  return dir
}

/**
 * The steps of the checkpoints in `root`, ascending (empty when `root` does not exist). Only complete checkpoint
 * directories are listed: temporary and half-deleted ones have other names.
 *
 * @example
 * ```ts
 * await listCheckpoints('runs/pendulum') // [2000, 3000]
 * ```
 */
export const listCheckpoints = async (root: string): Promise<readonly number[]> => listSteps(fsp, root)

/** Every disagreement between the stored specs and the expected names and shapes. */
const likeProblems = (
  specs: readonly tf.io.WeightsManifestEntry[],
  like: NonNullable<LoadCheckpointOptions['like']>,
): readonly string[] => {
  const expected = new Map(Object.entries(like))
  const stored = new Map(specs.map((spec) => [spec.name, spec]))
  const problems: string[] = []
  for (const [name, want] of expected) {
    const spec = stored.get(name)
    const wantShape = Array.isArray(want) ? (want as readonly number[]) : (want as tf.Tensor).shape
    if (spec === undefined) {
      problems.push(`missing tensor '${name}' (expected shape ${formatShape(wantShape)})`)
      continue
    }
    if (!tf.util.arraysEqual(spec.shape, [...wantShape])) {
      problems.push(
        `tensor '${name}' has shape ${formatShape(spec.shape)} in the checkpoint, expected ${formatShape(wantShape)}`,
      )
    }
    if (!Array.isArray(want) && (want as tf.Tensor).dtype !== spec.dtype) {
      problems.push(`tensor '${name}' has dtype ${spec.dtype} in the checkpoint, expected ${(want as tf.Tensor).dtype}`)
    }
  }
  for (const spec of specs) {
    if (!expected.has(spec.name)) {
      problems.push(`unexpected tensor '${spec.name}' with shape ${formatShape(spec.shape)}`)
    }
  }
  return problems
}

/** The user metadata of a loaded checkpoint, after checking the version and step recorded beside it. */
const checkpointMetadata = (
  artifacts: tf.io.ModelArtifacts,
  dir: string,
  step: number,
): Readonly<Record<string, unknown>> => {
  const file = path.join(dir, MODEL_JSON)
  const user: unknown = artifacts.userDefinedMetadata
  if (!isRecord(user) || user.polyakCheckpointVersion === undefined) {
    throw new Error(
      `loadCheckpoint: ${file} is not a polyak checkpoint (no userDefinedMetadata.polyakCheckpointVersion)`,
    )
  }
  if (user.polyakCheckpointVersion !== CHECKPOINT_VERSION) {
    throw new Error(
      `loadCheckpoint: ${file} has polyakCheckpointVersion ${JSON.stringify(user.polyakCheckpointVersion)}; this ` +
        `version of @polyak/core reads version ${CHECKPOINT_VERSION} only`,
    )
  }
  if (user.step !== step) {
    throw new Error(
      `loadCheckpoint: ${file} records step ${JSON.stringify(user.step)} but its directory is for step ${step}`,
    )
  }
  if (!isRecord(user.metadata)) {
    throw new Error(`loadCheckpoint: ${file} has no metadata object in userDefinedMetadata.metadata`)
  }
  return user.metadata
}

/** Which step to load: the requested one if present, else the one LATEST names; the error says what is there. */
const resolveStep = async (fs: CheckpointFs, root: string, requested: number | undefined): Promise<number> => {
  if (requested !== undefined) {
    if (!isStep(requested)) {
      throw new RangeError(`loadCheckpoint: step must be a non-negative integer, got ${requested}`)
    }
    const steps = await listSteps(fs, root)
    if (!steps.includes(requested)) {
      throw new Error(
        `loadCheckpoint: no checkpoint for step ${requested} in ${root}` +
          (steps.length > 0 ? ` (steps present: ${steps.join(', ')})` : ' (it holds no checkpoints)'),
      )
    }
    return requested
  }
  const pointed = await readPointer(fs, root)
  if (pointed !== undefined) return pointed
  if (!(await exists(fs, root))) {
    throw new Error(`loadCheckpoint: no checkpoint in ${root}: the directory does not exist`)
  }
  const steps = await listSteps(fs, root)
  throw new Error(
    `loadCheckpoint: no checkpoint in ${root}: there is no ${LATEST} file` +
      (steps.length > 0 ? ` (step directories present: ${steps.join(', ')}; pass { step } to load one)` : ''),
  )
}

/**
 * Reads the checkpoint that `root/LATEST` names (or `options.step`) and decodes its tensors.
 *
 * The returned tensors are new and belong to the caller, who disposes them (e.g. with `disposeParams`). Nothing is
 * allocated when the call fails: the version, the `like` structure and `minStep` are checked before decoding.
 *
 * @param root - the checkpoint directory given to {@link saveCheckpoint}
 * @throws when `root` holds no checkpoint, LATEST or the checkpoint files are missing, malformed or differ from their
 *   checksums (the error names the file), a tensor name is `__proto__`, `constructor` or `prototype` (or has such a
 *   segment), the checkpoint has another `polyakCheckpointVersion`, its step is below `minStep`, or it does not match
 *   `like` (one error lists every missing, unexpected and reshaped tensor)
 *
 * @example
 * ```ts
 * import { disposeParams, loadCheckpoint, unprefixParams } from '@polyak/core'
 *
 * const { step, tensors, metadata } = await loadCheckpoint('runs/pendulum', { like: { 'actor/l0/kernel': [3, 64] } })
 * const actor = unprefixParams('actor/', tensors)
 * // … use actor, then:
 * disposeParams(tensors)
 * ```
 */
export const loadCheckpoint = async (root: string, options: LoadCheckpointOptions = {}): Promise<Checkpoint> => {
  const fs: CheckpointFs = fsp
  const { minStep } = options
  if (minStep !== undefined && Number.isNaN(minStep)) throw new RangeError('loadCheckpoint: minStep must be a number')
  const step = await resolveStep(fs, root, options.step)
  if (minStep !== undefined && step < minStep) {
    throw new Error(
      `loadCheckpoint: the checkpoint at step ${step} is older than the required step ${minStep} (in ${root})`,
    )
  }
  const dir = path.join(root, stepDirName(step))
  let artifacts: tf.io.ModelArtifacts
  let verified: boolean
  try {
    verified = await exists(fs, path.join(dir, CHECKSUMS_JSON))
    artifacts = await fileSystemIO(dir, { fs, requireChecksums: options.requireChecksums === true }).load()
  } catch (error) {
    const via = options.step === undefined ? ` (named by ${path.join(root, LATEST)})` : ''
    throw new Error(`loadCheckpoint: cannot load step ${step}${via}: ${messageOf(error)}`, { cause: error })
  }
  const metadata = checkpointMetadata(artifacts, dir, step)
  const specs = artifacts.weightSpecs ?? []
  const file = path.join(dir, MODEL_JSON)
  const badDtypes = specs.filter((spec) => !TENSOR_DTYPES.includes(spec.dtype))
  if (badDtypes.length > 0) {
    const list = badDtypes.map((spec) => `'${spec.name}' is ${spec.dtype}`).join(', ')
    throw new Error(`loadCheckpoint: ${file} holds tensors of unsupported dtypes: ${list}`)
  }
  const names = specs.map((spec) => spec.name)
  const unsafe = names.filter((name) => !isSafeTensorName(name))
  if (unsafe.length > 0) {
    throw new Error(
      `loadCheckpoint: ${file} names tensors ${unsafe.map((name) => `'${name}'`).join(', ')}, which are not ` +
        'allowed (__proto__, constructor and prototype would reach object prototypes)',
    )
  }
  const repeated = names.filter((name, i) => names.indexOf(name) !== i)
  if (repeated.length > 0) {
    throw new Error(`loadCheckpoint: ${file} names tensors more than once: ${repeated.join(', ')}`)
  }
  if (options.like !== undefined) {
    const problems = likeProblems(specs, options.like)
    if (problems.length > 0) {
      throw new Error(
        `loadCheckpoint: the checkpoint in ${dir} does not match the expected tensors (${problems.length} ` +
          `problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`,
      )
    }
  }
  // Decode under index names: tfjs fills a plain object, where a tensor called '__proto__' would vanish.
  const decoded = tf.io.decodeWeights(
    artifacts.weightData ?? new ArrayBuffer(0),
    specs.map((spec, i) => ({ ...spec, name: String(i) })),
  )
  const tensors: Readonly<tf.NamedTensorMap> = Object.fromEntries(
    names.map((name, i) => [name, decoded[String(i)] as tf.Tensor]),
  )
  return { step, tensors, metadata, verified }
}
