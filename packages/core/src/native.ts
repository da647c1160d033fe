/**
 * polyak's optional native kernels: matrix products (any transposition), a fused Adam step and Polyak averaging,
 * compiled from `native/*.cc` by `npm install` with the machine's C++ compiler and Node's headers (nothing is
 * downloaded; a machine without a compiler installs anyway and simply lacks them). They run on the tensors of the
 * tfjs `wasm` backend in place, reading and writing its heap, so every other kernel stays wasm's: the `native`
 * backend of {@link setBackend} is `wasm` with these kernels registered over its `BatchMatMul`, `_FusedMatMul`,
 * `Conv2D`, `Slice`, `Transpose` and `Sum`.
 *
 * @module native
 */
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs-core'
import { needsGradient } from './gradientScope.js'

/**
 * The functions of the compiled addon (`native/build/polyak_native.node`). Arrays are `Float32Array`s (views on
 * the wasm heap or plain arrays); nothing is allocated on the JavaScript side.
 *
 * @example
 * ```ts
 * const addon = loadNativeAddon()
 * if (addon.ok) {
 *   const c = new Float32Array(4)
 *   addon.addon.gemm(new Float32Array([1, 2, 3, 4]), new Float32Array([1, 0, 0, 1]), c, 1, 2, 2, 2, false, false, 0, 0)
 *   // c: [1, 2, 3, 4]
 * }
 * ```
 */
export interface NativeAddon {
  /** The instruction set the kernels were picked for at load time: `avx512`, `avx2`, `sse2` or `generic`. */
  readonly isa: string
  /** `c[i] = op(a[i]) · op(b[i])` for `batch` row-major products (m × k by k × n); a batch stride 0 broadcasts. */
  readonly gemm: (
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aBatchStride: number,
    bBatchStride: number,
  ) => void
  /** In place over `rows × n`: add `bias` (per column; `null` for none), then activation 0 (linear), 1 (ReLU), 2 (tanh). */
  readonly biasActivation: (y: Float32Array, bias: Float32Array | null, rows: number, n: number, act: number) => void
  /**
   * One Adam step (PyTorch's rule, the float32 operations of `adamUpdate` in the same order) writing new θ, m and v;
   * `constants` = [lr / (1 − β1^t), β1, 1 − β1, β2, 1 − β2, √(1 − β2^t), ε, gradient scale].
   */
  readonly adam: (
    theta: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    thetaOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    constants: Float32Array,
  ) => void
  /** `out = target + τ (online − target)`. */
  readonly polyak: (online: Float32Array, target: Float32Array, out: Float32Array, tau: number) => void
  /**
   * The threads the products use, the calling thread included (1: no worker threads); returns the number in use.
   * Absent from addons built before it existed.
   */
  readonly setThreads?: (n: number) => number
  /** The threads the products use now. */
  readonly threads?: () => number
  /**
   * `[split, unhelped]`: the products split across the pool so far, and how many of them the calling thread computed
   * whole because no worker claimed a part in time. Absent from addons built before it existed.
   */
  readonly handOffs?: () => [number, number]
  /**
   * `y = activation(x · w + bias)` for row-major `x` (m × k) and `w` (k × n), the bias and activation (0 linear, 1 ReLU,
   * 2 tanh) applied to each tile of the product while it is in registers where the shape allows: the bits of `gemm`
   * then `biasActivation`. Absent from addons built before it existed.
   */
  readonly denseForward?: (
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    m: number,
    n: number,
    k: number,
    activation: number,
  ) => void
  /**
   * `dz = dy · activation'(z)` from the layer output `y` (0 linear, 1 ReLU, 2 tanh): `dy · step(y)`, `dy · (1 − y²)`.
   * Absent from addons built before it existed.
   */
  readonly activationGradient?: (dy: Float32Array, y: Float32Array, dz: Float32Array, activation: number) => void
  /**
   * `out = (dz · wᵀ) · step(h)` for row-major `dz` (m × n), `w` (k × n as stored: a layer's kernel) and `h` (m × k, the
   * ReLU output below): a dense layer's input gradient and the ReLU gradient of the layer below in one pass, the bits
   * of `gemm` then `activationGradient`. Returns false, computing nothing, for shapes it does not fuse (one row or
   * column, narrow outputs). Absent from addons built before it existed.
   */
  readonly reluGradientProduct?: (
    dz: Float32Array,
    w: Float32Array,
    h: Float32Array,
    out: Float32Array,
    m: number,
    n: number,
    k: number,
  ) => boolean
  /**
   * A chain of dense layers in one call: `hs[i] = activation_i(h_{i−1} · ws[i] + bs[i])` with `h_{−1}` the input,
   * given as column blocks `xs[p]` (`rows × widths[p]`, side by side: an observation beside an action), `ws[i]`
   * stored `k_i × n_i`, `bs[i]` `null` for none, activations 0 linear, 1 ReLU, 2 tanh. A large chain is split by
   * blocks of rows, each thread joining its rows of the input and running every layer on them; the bits of
   * `denseForward` layer by layer. Absent from addons built before it existed.
   */
  readonly denseStack?: (
    xs: readonly Float32Array[],
    widths: Int32Array,
    ws: readonly Float32Array[],
    bs: readonly (Float32Array | null)[],
    hs: readonly Float32Array[],
    rows: number,
    activations: Int32Array,
  ) => void
  /**
   * The gradient of {@link NativeAddon.denseStack} given `dy` on the top layer's output: `dzs[i] = dy_i ·
   * act_i'(h_i)` for every layer from the top down to the lowest one anything is wanted from, `dws[i] = h_{i−1}ᵀ ·
   * dz_i` and `dbs[i] = Σ_rows dz_i` where not `null`, the input's gradient `dz_0 · ws[0]ᵀ` split into the blocks
   * `dxs` when not `null` (`xs` may be `null` when the first layer's weight gradient is not wanted). The walk down
   * runs by blocks of rows on every thread, the weight gradients split by their outputs; the bits of the
   * layer-by-layer calls. Absent from addons built before it existed.
   */
  readonly denseStackGradient?: (
    dy: Float32Array,
    xs: readonly Float32Array[] | null,
    widths: Int32Array,
    ws: readonly Float32Array[],
    hs: readonly Float32Array[],
    dzs: readonly (Float32Array | null)[],
    dws: readonly (Float32Array | null)[],
    dbs: readonly (Float32Array | null)[],
    dxs: readonly Float32Array[] | null,
    rows: number,
    activations: Int32Array,
  ) => void
  /** Σ x² accumulated in double precision. */
  readonly sumSquares: (x: Float32Array) => number
  /** `y = x[begin : begin + size]` of a row-major tensor of rank 1–8. */
  readonly slice: (x: Float32Array, y: Float32Array, shape: Int32Array, begin: Int32Array, size: Int32Array) => void
  /** Column sums (`overRows`) or row sums of a `rows × cols` row-major matrix, float32 in a fixed order. */
  readonly sumAxis: (x: Float32Array, out: Float32Array, rows: number, cols: number, overRows: boolean) => void
  /** `y` = `x` with dimensions permuted (`y`'s dimension i is `x`'s `perm[i]`), rank 1–8. */
  readonly transpose: (x: Float32Array, y: Float32Array, shape: Int32Array, perm: Int32Array) => void
  /**
   * NHWC convolution `y[n, oh, ow, f]` of `x[n, h, w, c]` with `filter[kh, kw, c, f]`, zero padding `padTop` rows
   * and `padLeft` columns before the input (the rest after), by image-to-column products.
   */
  readonly conv2d: (
    x: Float32Array,
    filter: Float32Array,
    y: Float32Array,
    n: number,
    h: number,
    w: number,
    c: number,
    kh: number,
    kw: number,
    f: number,
    oh: number,
    ow: number,
    strideH: number,
    strideW: number,
    dilationH: number,
    dilationW: number,
    padTop: number,
    padLeft: number,
  ) => void
}

/**
 * Whether the addon loaded, and why not when it did not.
 *
 * @example
 * ```ts
 * const loaded: NativeLoad = loadNativeAddon()
 * console.log(loaded.ok ? `native kernels: ${loaded.addon.isa}` : `no native kernels: ${loaded.reason}`)
 * ```
 */
export type NativeLoad =
  | { readonly ok: true; readonly addon: NativeAddon; readonly path: string }
  | { readonly ok: false; readonly reason: string }

const addonPath = (): string =>
  process.env.POLYAK_NATIVE_ADDON ??
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native', 'build', 'polyak_native.node')

let cached: NativeLoad | undefined

const load = (file: string): NativeLoad => {
  try {
    const addon = createRequire(import.meta.url)(file) as NativeAddon
    return { ok: true, addon, path: file }
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    return {
      ok: false,
      reason:
        code === 'MODULE_NOT_FOUND'
          ? `${file} is not built: run \`node native/build.mjs\` in @polyak/core (needs a C++ compiler)`
          : `${file} failed to load: ${error instanceof Error ? error.message : String(error)}`,
    }
  }
}

/**
 * Loads the compiled addon; the default build is loaded once (later calls return the same result). `POLYAK_NATIVE=0`
 * pretends it is absent; `POLYAK_NATIVE_ADDON` (or `file`) points at another build.
 *
 * @param file - an addon to load instead of the default build (not cached)
 *
 * @example
 * ```ts
 * const loaded = loadNativeAddon()
 * if (!loaded.ok) console.warn(loaded.reason) // e.g. "… not built: run `node native/build.mjs` in @polyak/core"
 * ```
 */
export const loadNativeAddon = (file?: string): NativeLoad => {
  if (file !== undefined) return load(file)
  if (cached !== undefined) return cached
  cached = process.env.POLYAK_NATIVE === '0' ? { ok: false, reason: 'disabled by POLYAK_NATIVE=0' } : load(addonPath())
  return cached
}

/** What the wasm backend offers the kernels below (`BackendWasm` of `@tensorflow/tfjs-backend-wasm`). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array
  incRef(dataId: tf.DataId): void
  disposeData(dataId: tf.DataId, force?: boolean): boolean
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }

const heap = (backend: WasmBackendLike, info: tf.TensorInfo): Float32Array =>
  backend.typedArrayFromHeap(info) as Float32Array

interface Product {
  readonly outShape: number[]
  readonly batch: number
  readonly m: number
  readonly n: number
  readonly k: number
  readonly aStride: number
  readonly bStride: number
}

/** The product's sizes, or undefined when the native kernel does not handle it (then wasm's own kernel runs). */
const productOf = (
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): Product | undefined => {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined
  const ra = a.shape.length
  const rb = b.shape.length
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2]
  const ka = transposeA ? a.shape[ra - 2] : a.shape[ra - 1]
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2]
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1]
  if (m === undefined || n === undefined || ka === undefined || ka !== kb) return undefined
  const outerA = a.shape.slice(0, -2)
  const outerB = b.shape.slice(0, -2)
  const batchA = outerA.reduce((x, y) => x * y, 1)
  const batchB = outerB.reduce((x, y) => x * y, 1)
  const batch = Math.max(batchA, batchB)
  // the same batch shape, or one side a plain matrix: any other broadcast goes to wasm's kernel
  const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])
  if (!sameOuter && outerA.length > 0 && outerB.length > 0) return undefined
  const outer = batchA >= batchB ? outerA : outerB
  return {
    outShape: [...outer, m, n],
    batch,
    m,
    n,
    k: ka,
    aStride: batchA === 1 ? 0 : m * ka,
    bStride: batchB === 1 ? 0 : ka * n,
  }
}

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1 }

/** The most threads the default asks for: the products of 256-wide layers have too few panels to split further. */
const MAX_DEFAULT_THREADS = 8

const ADAM_KERNEL = 'PolyakNativeAdam'
const POLYAK_KERNEL = 'PolyakNativePolyak'
const STACK_KERNEL = 'PolyakNativeDenseStack'
const STACK_GRAD_KERNEL = 'PolyakNativeDenseStackGrad'
const STACK_ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, tanh: 2 }

interface Installed {
  readonly originals: readonly tf.KernelConfig[]
}

let installed: Installed | undefined

const replaceKernel = (config: tf.KernelConfig): void => {
  tf.unregisterKernel(config.kernelName, config.backendName)
  tf.registerKernel(config)
}

/**
 * The default number of threads for the native products: `POLYAK_NATIVE_THREADS` when set (a positive integer), else
 * the machine's cores (`os.availableParallelism()`), at most 8. With the bias and activation of a dense layer applied
 * inside its product (each thread finishes the tiles it computed, so the next kernel does not read the other core's
 * cache), 2 threads gave 1.4–1.5× the TD3 updates/s of 1 on a 2-core AMD EPYC with AVX-512 (4 December 2026,
 * [ADR 0017]). Ask for fewer when other threads or processes compute beside the learner (the trainer does for its
 * actors).
 *
 * [ADR 0017]: https://github.com/polyak-rl/polyak/blob/main/docs/adr/0017-fused-layer-stacks.md
 *
 * @example
 * ```ts
 * defaultNativeThreads({ POLYAK_NATIVE_THREADS: '2' }) // 2
 * defaultNativeThreads({}, 2) // 2: a 2-core machine
 * defaultNativeThreads({}, 64) // 8
 * ```
 */
export const defaultNativeThreads = (
  env: Readonly<Record<string, string | undefined>> = process.env,
  cores: number = os.availableParallelism(),
): number => {
  const raw = env.POLYAK_NATIVE_THREADS
  if (raw === undefined || raw === '') return Math.max(1, Math.min(MAX_DEFAULT_THREADS, cores))
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new Error(`POLYAK_NATIVE_THREADS must be an integer from 1 to 64, got '${raw}'`)
  return n
}

/**
 * Sets how many threads the native matrix products use (the JavaScript thread that calls them included; products
 * below about 4 million multiply-adds, 2²², always run on it alone) and returns the number in use. Every split computes each
 * element with the same operations, so the results are the same bits for any number. Worker threads spin for about
 * 0.4 ms after a product, then sleep: between updates they hold no core. The first JavaScript thread that sets it
 * owns the pool; on any other (a worker-thread actor) it returns 1 and that thread's products run on it alone.
 * 1 when the addon predates threads.
 *
 * @example
 * ```ts
 * import os from 'node:os'
 *
 * await setBackend('native')
 * setNativeThreads(os.availableParallelism()) // every core, for products large enough to pay
 * ```
 */
export const setNativeThreads = (threads: number = defaultNativeThreads()): number => {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64)
    throw new Error(`native threads must be an integer from 1 to 64, got ${threads}`)
  const loaded = loadNativeAddon()
  if (!loaded.ok) throw new Error(`polyak native kernels are not available: ${loaded.reason}`)
  return loaded.addon.setThreads?.(threads) ?? 1
}

/** How the native pool's hand-offs went since the addon loaded: see {@link nativeHandOffs}. */
export interface NativeHandOffs {
  /** Products (and other kernels) split across the pool's threads. */
  readonly split: number
  /**
   * Of those, how many the calling thread computed whole because no worker thread claimed a part before it had
   * finished its own: the worker was descheduled (other threads of this process, such as V8's compiler, or other
   * processes on the cores). Such a product takes as long as on one thread.
   */
  readonly unhelped: number
}

/**
 * Counts of the native pool's hand-offs since the addon loaded (`undefined` when the addon is not loaded or predates
 * the counters). Take two readings and subtract: `unhelped / split` over a stretch of training is the share of split
 * products that ran on one thread because the machine's other cores were busy, which tells a slow stretch caused by
 * contention from a slow stretch of the code. The benches report it for each timed round.
 *
 * @example
 * ```ts
 * const before = nativeHandOffs()
 * // ... learner steps ...
 * const after = nativeHandOffs()
 * if (before && after) console.log(`${after.unhelped - before.unhelped} of ${after.split - before.split} products ran alone`)
 * ```
 */
export const nativeHandOffs = (): NativeHandOffs | undefined => {
  const loaded = loadNativeAddon()
  const counts = loaded.ok ? loaded.addon.handOffs?.() : undefined
  return counts === undefined ? undefined : { split: counts[0], unhelped: counts[1] }
}

/**
 * The threads the native products use now (1 when the addon is not loaded or predates threads).
 *
 * @example
 * ```ts
 * nativeThreads() // after setBackend('native'): the machine's cores (at most 8) unless POLYAK_NATIVE_THREADS or `threads` say otherwise
 * ```
 */
export const nativeThreads = (): number => {
  const loaded = loadNativeAddon()
  return loaded.ok ? (loaded.addon.threads?.() ?? 1) : 1
}

/**
 * Registers the native kernels over the wasm backend's `BatchMatMul` and `_FusedMatMul` (float32 products with the
 * same or no batch dimensions, any transposition; fused bias + linear/ReLU), `Conv2D` (NHWC, any strides, dilations
 * and padding), `Slice`, `Concat` (of narrow float32 rows), `Transpose` and `Sum` over leading or trailing axes
 * (float32); any other case still runs wasm's own kernel. Idempotent. Throws when the addon is not available.
 *
 * @example
 * ```ts
 * await setBackend('wasm')
 * enableNativeKernels() // what setBackend('native') does
 * tf.matMul(a, b, false, true) // runs the native product on the wasm heap
 * disableNativeKernels()
 * ```
 */
export const enableNativeKernels = (): NativeAddon => {
  const loaded = loadNativeAddon()
  if (!loaded.ok) throw new Error(`polyak native kernels are not available: ${loaded.reason}`)
  const { addon } = loaded
  if (installed !== undefined) return addon
  const originalMatMul = tf.getKernel('BatchMatMul', 'wasm')
  const originalFused = tf.getKernel('_FusedMatMul', 'wasm')
  const originalConv = tf.getKernel('Conv2D', 'wasm')
  const originalSlice = tf.getKernel('Slice', 'wasm')
  const originalConcat = tf.getKernel('Concat', 'wasm')
  const originalTranspose = tf.getKernel('Transpose', 'wasm')
  const originalSum = tf.getKernel('Sum', 'wasm')
  const originalIdentity = tf.getKernel('Identity', 'wasm')
  if (
    originalSum === undefined ||
    originalIdentity === undefined ||
    originalMatMul === undefined ||
    originalFused === undefined ||
    originalConv === undefined ||
    originalSlice === undefined ||
    originalConcat === undefined ||
    originalTranspose === undefined
  ) {
    throw new Error('polyak native kernels need the wasm backend: import @tensorflow/tfjs-backend-wasm first')
  }
  const batchMatMul = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
    const transposeA = args.attrs?.transposeA === true
    const transposeB = args.attrs?.transposeB === true
    const p = productOf(a, b, transposeA, transposeB)
    if (p === undefined) return originalMatMul.kernelFunc(args as Parameters<tf.KernelFunc>[0])
    const backend = args.backend as WasmBackendLike
    const out = backend.makeOutput(p.outShape, 'float32')
    // views are taken after makeOutput, which may grow (and so replace) the heap
    addon.gemm(
      heap(backend, a),
      heap(backend, b),
      heap(backend, out),
      p.batch,
      p.m,
      p.n,
      p.k,
      transposeA,
      transposeB,
      p.aStride,
      p.bStride,
    )
    return out
  }
  const fusedMatMul = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>
    const transposeA = args.attrs?.transposeA === true
    const transposeB = args.attrs?.transposeB === true
    const activation = ACTIVATIONS[String(args.attrs?.activation ?? 'linear')]
    const p = a !== undefined && b !== undefined ? productOf(a, b, transposeA, transposeB) : undefined
    if (
      p === undefined ||
      a === undefined ||
      b === undefined ||
      activation === undefined ||
      preluActivationWeights != null ||
      (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== p.n || bias.dtype !== 'float32'))
    ) {
      return originalFused.kernelFunc(args as Parameters<tf.KernelFunc>[0])
    }
    const backend = args.backend as WasmBackendLike
    const out = backend.makeOutput(p.outShape, 'float32')
    const y = heap(backend, out)
    addon.gemm(
      heap(backend, a),
      heap(backend, b),
      y,
      p.batch,
      p.m,
      p.n,
      p.k,
      transposeA,
      transposeB,
      p.aStride,
      p.bStride,
    )
    if (bias != null || activation !== 0) {
      addon.biasActivation(y, bias == null ? null : heap(backend, bias), p.batch * p.m, p.n, activation)
    }
    return out
  }
  const conv2d = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo }
    const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DAttrs
    const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC')
    if (x.dtype !== 'float32' || filter.dtype !== 'float32' || format !== 'channelsLast' || x.shape.length !== 4) {
      return originalConv.kernelFunc(args as Parameters<tf.KernelFunc>[0])
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations ?? 1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      format,
    )
    if (info.padInfo.top < 0 || info.padInfo.left < 0)
      return originalConv.kernelFunc(args as Parameters<tf.KernelFunc>[0])
    const backend = args.backend as WasmBackendLike
    const out = backend.makeOutput(info.outShape, 'float32')
    addon.conv2d(
      heap(backend, x),
      heap(backend, filter),
      heap(backend, out),
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.filterHeight,
      info.filterWidth,
      info.outChannels,
      info.outHeight,
      info.outWidth,
      info.strideHeight,
      info.strideWidth,
      info.dilationHeight,
      info.dilationWidth,
      info.padInfo.top,
      info.padInfo.left,
    )
    return out
  }
  // wasm's Concat copies each row of each input with a subarray + set (two allocations a row): for a critic's input
  // (observations beside actions, 256 rows of a few values) a plain loop is several times faster
  const concat = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const inputs = Object.values(args.inputs) as tf.TensorInfo[]
    const first = inputs[0]
    if (first === undefined || inputs.some((t) => t.dtype !== 'float32' || t.shape.length !== first.shape.length)) {
      return originalConcat.kernelFunc(args as Parameters<tf.KernelFunc>[0])
    }
    const axis = tf.util.parseAxisParam(args.attrs?.axis as number, first.shape)[0] ?? 0
    const shapes = inputs.map((t) => t.shape)
    tf.backend_util.assertParamsConsistent(shapes, axis)
    const outShape = tf.backend_util.computeOutShape(shapes, axis)
    const rows = tf.util.sizeFromShape(first.shape.slice(0, axis))
    const widths = inputs.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)))
    const width = widths.reduce((a, b) => a + b, 0)
    if (Math.max(...widths) > 64 || rows * width === 0)
      return originalConcat.kernelFunc(args as Parameters<tf.KernelFunc>[0])
    const backend = args.backend as WasmBackendLike
    const out = backend.makeOutput(outShape, 'float32')
    // views are taken after makeOutput, which may grow (and so replace) the heap
    const y = heap(backend, out)
    let offset = 0
    inputs.forEach((input, i) => {
      const x = heap(backend, input)
      const w = widths[i] ?? 0
      for (let r = 0; r < rows; r++) {
        const from = r * w
        const to = r * width + offset
        for (let j = 0; j < w; j++) y[to + j] = x[from + j] as number
      }
      offset += w
    })
    return out
  }

  const slice = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    if (x.dtype !== 'float32' || x.shape.length < 1 || x.shape.length > 8) {
      return originalSlice.kernelFunc(args as Parameters<tf.KernelFunc>[0])
    }
    const [begin, size] = tf.slice_util.parseSliceParams(
      x as tf.Tensor,
      args.attrs?.begin as number | number[],
      args.attrs?.size as number | number[] | undefined,
    ) as [number[], number[]]
    tf.slice_util.assertParamsValid(x as tf.Tensor, begin, size)
    const backend = args.backend as WasmBackendLike
    const out = backend.makeOutput(size, 'float32')
    if (size.every((d) => d > 0)) {
      addon.slice(
        heap(backend, x),
        heap(backend, out),
        Int32Array.from(x.shape),
        Int32Array.from(begin),
        Int32Array.from(size),
      )
    }
    return out
  }
  const transpose = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    const perm = args.attrs?.perm as number[] | undefined
    if (x.dtype !== 'float32' || perm === undefined || x.shape.length < 1 || x.shape.length > 8) {
      return originalTranspose.kernelFunc(args as Parameters<tf.KernelFunc>[0])
    }
    const backend = args.backend as WasmBackendLike
    const out = backend.makeOutput(
      perm.map((p) => x.shape[p] as number),
      'float32',
    )
    if (x.shape.every((d) => d > 0)) {
      addon.transpose(heap(backend, x), heap(backend, out), Int32Array.from(x.shape), Int32Array.from(perm))
    }
    return out
  }
  const sum = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    const rank = x.shape.length
    const axes =
      rank === 0
        ? []
        : [...tf.util.parseAxisParam(args.attrs?.axis as number | number[], x.shape)].sort((a, b) => a - b)
    const leading = axes.length > 0 && axes.every((a, i) => a === i)
    const trailing = axes.length > 0 && axes.every((a, i) => a === rank - axes.length + i)
    if (x.dtype !== 'float32' || !(leading || trailing)) {
      return originalSum.kernelFunc(args as Parameters<tf.KernelFunc>[0])
    }
    const reduced = axes.reduce((n, a) => n * (x.shape[a] as number), 1)
    const total = x.shape.reduce((n, d) => n * d, 1)
    const kept = reduced === 0 ? 0 : total / reduced
    const keepDims = args.attrs?.keepDims === true
    const outShape = x.shape.flatMap((d, i) => (axes.includes(i) ? (keepDims ? [1] : []) : [d]))
    const backend = args.backend as WasmBackendLike
    const out = backend.makeOutput(outShape, 'float32')
    if (kept > 0) {
      const overRows = leading
      addon.sumAxis(
        heap(backend, x),
        heap(backend, out),
        overRows ? reduced : kept,
        overRows ? kept : reduced,
        overRows,
      )
    }
    return out
  }
  // Adam over any number of tensors in one kernel: inputs theta0, grad0, m0, v0, theta1, …; outputs θ0, m0, v0, θ1, …
  const adamStep = (args: KernelArgs): tf.TensorInfo[] => {
    const inputs = args.inputs as Record<string, tf.TensorInfo>
    const constants = args.attrs?.constants as unknown as Float32Array
    const count = Number(args.attrs?.count ?? 1)
    const backend = args.backend as WasmBackendLike
    const outs = Array.from({ length: count }, (_, i) => {
      const shape = (inputs[`theta${i}`] as tf.TensorInfo).shape
      return [0, 1, 2].map(() => backend.makeOutput([...shape], 'float32'))
    }).flat()
    // views are taken after makeOutput, which may grow (and so replace) the heap
    for (let i = 0; i < count; i++) {
      const [t1, m1, v1] = outs.slice(3 * i, 3 * i + 3).map((o) => heap(backend, o)) as [
        Float32Array,
        Float32Array,
        Float32Array,
      ]
      addon.adam(
        heap(backend, inputs[`theta${i}`] as tf.TensorInfo),
        heap(backend, inputs[`grad${i}`] as tf.TensorInfo),
        heap(backend, inputs[`m${i}`] as tf.TensorInfo),
        heap(backend, inputs[`v${i}`] as tf.TensorInfo),
        t1,
        m1,
        v1,
        constants,
      )
    }
    return outs
  }
  // Polyak averaging of any number of tensors in one kernel: inputs online0, target0, online1, …; one output each
  const polyakStep = (args: KernelArgs): tf.TensorInfo[] => {
    const inputs = args.inputs as Record<string, tf.TensorInfo>
    const count = Number(args.attrs?.count ?? 1)
    const tau = Number(args.attrs?.tau)
    const backend = args.backend as WasmBackendLike
    const outs = Array.from({ length: count }, (_, i) =>
      backend.makeOutput([...(inputs[`online${i}`] as tf.TensorInfo).shape], 'float32'),
    )
    outs.forEach((out, i) => {
      addon.polyak(
        heap(backend, inputs[`online${i}`] as tf.TensorInfo),
        heap(backend, inputs[`target${i}`] as tf.TensorInfo),
        heap(backend, out),
        tau,
      )
    })
    return outs
  }
  // A chain of dense layers in one kernel: inputs x0 … x(P−1) (the input's column blocks, side by side in order),
  // w0, b0, w1, b1, …; outputs every layer's activations [h1, …, hL] (the last is the result, the others are saved for
  // the gradient). One addon call runs the whole chain (`denseStack`: blocks of rows on every thread).
  const denseStackForward = (args: KernelArgs): tf.TensorInfo[] => {
    const inputs = args.inputs as Record<string, tf.TensorInfo>
    const activations = args.attrs?.activations as unknown as number[]
    const partCount = Number(args.attrs?.parts ?? 1)
    const backend = args.backend as WasmBackendLike
    const stack = addon.denseStack
    if (stack === undefined) throw new Error('polyak native kernels: the addon predates denseStack; rebuild it')
    const parts = Array.from({ length: partCount }, (_, p) => inputs[`x${p}`] as tf.TensorInfo)
    const rows = (parts[0] as tf.TensorInfo).shape[0] as number
    const weights = activations.map((_, i) => inputs[`w${i}`] as tf.TensorInfo)
    const outs = weights.map((w) => backend.makeOutput([rows, w.shape[1] as number], 'float32'))
    // views are taken after makeOutput, which may grow (and so replace) the heap
    stack(
      parts.map((x) => heap(backend, x)),
      Int32Array.from(parts, (x) => x.shape[1] as number),
      weights.map((w) => heap(backend, w)),
      activations.map((_, i) => heap(backend, inputs[`b${i}`] as tf.TensorInfo)),
      outs.map((o) => heap(backend, o)),
      rows,
      Int32Array.from(activations),
    )
    return outs
  }
  // Its gradient: inputs dy, x0 … x(P−1), w0 … w(L−1), h1 … hL; outputs dx0 … dx(P−1), dw0, db0, dw1, db1, … in one
  // addon call (`denseStackGradient`): each layer from the top, dz = dy · act'(h), dW = hᵀ·dz, db = Σ dz over rows,
  // dy ← dz·Wᵀ (with the ReLU's step applied as it is written below a ReLU layer), the operations of dense's gradient
  // in order. Attributes `needInput` (0/1) and `needLayers` (0/1 per layer) say which gradients tfjs will use
  // (gradientScope.ts): the others are not computed, their outputs are empty [0] tensors, and the walk down stops at
  // the lowest layer anything is needed from.
  const denseStackBackward = (args: KernelArgs): tf.TensorInfo[] => {
    const inputs = args.inputs as Record<string, tf.TensorInfo>
    const activations = args.attrs?.activations as unknown as number[]
    const partCount = Number(args.attrs?.parts ?? 1)
    const backend = args.backend as WasmBackendLike
    const stackGradient = addon.denseStackGradient
    if (stackGradient === undefined)
      throw new Error('polyak native kernels: the addon predates denseStackGradient; rebuild it')
    const layers = activations.length
    const needInput = (args.attrs?.needInput ?? 1) !== 0
    const needLayers = (args.attrs?.needLayers as unknown as number[] | undefined) ?? activations.map(() => 1)
    const needLayer = (i: number) => needLayers[i] !== 0
    let lowest = needInput ? 0 : layers
    for (let i = layers - 1; i >= 0; i--) if (needLayer(i)) lowest = Math.min(lowest, i)
    const parts = Array.from({ length: partCount }, (_, p) => inputs[`x${p}`] as tf.TensorInfo)
    const rows = (parts[0] as tf.TensorInfo).shape[0] as number
    const weights = activations.map((_, i) => inputs[`w${i}`] as tf.TensorInfo)
    const outsOf = activations.map((_, i) => inputs[`h${i + 1}`] as tf.TensorInfo)
    const output = (shape: number[], needed: boolean) => backend.makeOutput(needed ? shape : [0], 'float32')
    const dxs = parts.map((x) => output([...x.shape], needInput))
    const dws = weights.map((w, i) => output([...w.shape], needLayer(i)))
    const dbs = weights.map((w, i) => output([w.shape[1] as number], needLayer(i)))
    // scratch: each walked layer's dz
    const walked = (i: number) => i >= lowest
    const dzs = outsOf.map((h, i) => output([...h.shape], walked(i)))
    if (lowest < layers) {
      // views are taken after makeOutput, which may grow (and so replace) the heap
      const views = (ts: readonly tf.TensorInfo[], wanted: (i: number) => boolean) =>
        ts.map((t, i) => (wanted(i) ? heap(backend, t) : null))
      stackGradient(
        heap(backend, inputs.dy as tf.TensorInfo),
        needLayer(0) ? parts.map((x) => heap(backend, x)) : null,
        Int32Array.from(parts, (x) => x.shape[1] as number),
        weights.map((w) => heap(backend, w)),
        outsOf.map((h) => heap(backend, h)),
        views(dzs, walked),
        views(dws, needLayer),
        views(dbs, needLayer),
        needInput ? dxs.map((d) => heap(backend, d)) : null,
        rows,
        Int32Array.from(activations),
      )
    }
    for (const t of dzs) backend.disposeData(t.dataId)
    return [...dxs, ...weights.flatMap((_, i) => [dws[i] as tf.TensorInfo, dbs[i] as tf.TensorInfo])]
  }
  // tfjs saves a kernel's inputs and outputs for its gradient by cloning them (`Identity`); wasm's Identity copies the
  // data, the cpu backend's shares it (tensors are immutable): share it here too.
  const identity = (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    ;(args.backend as WasmBackendLike).incRef(x.dataId)
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
  }
  replaceKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: identity as tf.KernelFunc })
  tf.registerKernel({
    kernelName: STACK_KERNEL,
    backendName: 'wasm',
    kernelFunc: denseStackForward as unknown as tf.KernelFunc,
  })
  tf.registerKernel({
    kernelName: STACK_GRAD_KERNEL,
    backendName: 'wasm',
    kernelFunc: denseStackBackward as unknown as tf.KernelFunc,
  })
  replaceKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: batchMatMul as tf.KernelFunc })
  replaceKernel({ kernelName: '_FusedMatMul', backendName: 'wasm', kernelFunc: fusedMatMul as tf.KernelFunc })
  replaceKernel({ kernelName: 'Conv2D', backendName: 'wasm', kernelFunc: conv2d as tf.KernelFunc })
  replaceKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: slice as tf.KernelFunc })
  replaceKernel({ kernelName: 'Concat', backendName: 'wasm', kernelFunc: concat as tf.KernelFunc })
  replaceKernel({ kernelName: 'Transpose', backendName: 'wasm', kernelFunc: transpose as tf.KernelFunc })
  replaceKernel({ kernelName: 'Sum', backendName: 'wasm', kernelFunc: sum as tf.KernelFunc })
  tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc: adamStep as unknown as tf.KernelFunc })
  tf.registerKernel({
    kernelName: POLYAK_KERNEL,
    backendName: 'wasm',
    kernelFunc: polyakStep as unknown as tf.KernelFunc,
  })
  installed = {
    originals: [
      originalMatMul,
      originalFused,
      originalConv,
      originalSlice,
      originalConcat,
      originalTranspose,
      originalSum,
      originalIdentity,
    ],
  }
  return addon
}

/**
 * Puts the wasm backend's own `BatchMatMul`, `_FusedMatMul`, `Conv2D`, `Slice`, `Transpose` and `Sum` back (what `setBackend('wasm')` does). Idempotent.
 *
 * @example
 * ```ts
 * disableNativeKernels()
 * nativeKernelsActive() // false
 * ```
 */
export const disableNativeKernels = (): void => {
  if (installed === undefined) return
  for (const original of installed.originals) replaceKernel(original)
  tf.unregisterKernel(ADAM_KERNEL, 'wasm')
  tf.unregisterKernel(POLYAK_KERNEL, 'wasm')
  tf.unregisterKernel(STACK_KERNEL, 'wasm')
  tf.unregisterKernel(STACK_GRAD_KERNEL, 'wasm')
  installed = undefined
}

/**
 * Whether the native kernels are registered (the `native` backend is active). Layers that pick between
 * formulations check this: with native products a transposed `matMul` is as fast as a plain one.
 *
 * @example
 * ```ts
 * const useTransposeFlags = nativeKernelsActive() && tf.getBackend() === 'wasm'
 * ```
 */
export const nativeKernelsActive = (): boolean => installed !== undefined && tf.getBackend() === 'wasm'

/**
 * One fused Adam step for one tensor on the native kernels (three new tensors: θ, m, v), equal bit for bit to
 * `adamUpdate`'s tfjs ops. Only while {@link nativeKernelsActive}; `adamUpdate` calls it by itself.
 *
 * @param constants - [lr / (1 − β1^t), β1, 1 − β1, β2, 1 − β2, √(1 − β2^t), ε, gradient scale]
 *
 * @example
 * ```ts
 * const [theta1, m1, v1] = nativeAdamStep(theta, grad, m, v, Float32Array.of(3e-3, 0.9, 0.1, 0.999, 0.001, 0.0316, 1e-8, 1))
 * ```
 */
export const nativeAdamStep = (
  theta: tf.Tensor,
  grad: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  constants: Float32Array,
): [tf.Tensor, tf.Tensor, tf.Tensor] => {
  const [step] = nativeAdamSteps([{ theta, grad, m, v }], constants)
  if (step === undefined) throw new Error('nativeAdamStep: the kernel returned nothing')
  return step
}

/**
 * {@link nativeAdamStep} for many tensors in one kernel call (one per network instead of one per tensor): the same
 * bits, tensor by tensor.
 *
 * @param tensors - each tensor's parameters, gradient and moment estimates
 * @param constants - [lr / (1 − β1^t), β1, 1 − β1, β2, 1 − β2, √(1 − β2^t), ε, gradient scale]
 *
 * @example
 * ```ts
 * const steps = nativeAdamSteps([{ theta, grad, m, v }], Float32Array.of(3e-3, 0.9, 0.1, 0.999, 0.001, 0.0316, 1e-8, 1))
 * const [theta1, m1, v1] = steps[0] ?? []
 * ```
 */
export const nativeAdamSteps = (
  tensors: ReadonlyArray<{
    readonly theta: tf.Tensor
    readonly grad: tf.Tensor
    readonly m: tf.Tensor
    readonly v: tf.Tensor
  }>,
  constants: Float32Array,
): Array<[tf.Tensor, tf.Tensor, tf.Tensor]> => {
  const inputs: tf.NamedTensorMap = {}
  tensors.forEach(({ theta, grad, m, v }, i) => {
    inputs[`theta${i}`] = theta
    inputs[`grad${i}`] = grad
    inputs[`m${i}`] = m
    inputs[`v${i}`] = v
  })
  const outs = tf.engine().runKernel(ADAM_KERNEL, inputs, {
    constants,
    count: tensors.length,
  } as unknown as tf.NamedAttrMap) as tf.Tensor[]
  return tensors.map((_, i) => outs.slice(3 * i, 3 * i + 3) as [tf.Tensor, tf.Tensor, tf.Tensor])
}

/**
 * `target + (online − target) · τ` as one native kernel (a new tensor), equal bit for bit to `polyakUpdate`'s tfjs
 * ops. Only while {@link nativeKernelsActive}; `polyakUpdate` calls {@link nativePolyakSteps} by itself.
 *
 * @example
 * ```ts
 * const next = nativePolyakStep(online, target, 0.005)
 * ```
 */
export const nativePolyakStep = (online: tf.Tensor, target: tf.Tensor, tau: number): tf.Tensor => {
  const [next] = nativePolyakSteps([{ online, target }], tau)
  if (next === undefined) throw new Error('nativePolyakStep: the kernel returned nothing')
  return next
}

/**
 * {@link nativePolyakStep} for many tensors in one kernel call: the same bits, tensor by tensor.
 *
 * @example
 * ```ts
 * const [next] = nativePolyakSteps([{ online, target }], 0.005)
 * ```
 */
export const nativePolyakSteps = (
  tensors: ReadonlyArray<{ readonly online: tf.Tensor; readonly target: tf.Tensor }>,
  tau: number,
): tf.Tensor[] => {
  const inputs: tf.NamedTensorMap = {}
  tensors.forEach(({ online, target }, i) => {
    inputs[`online${i}`] = online
    inputs[`target${i}`] = target
  })
  return tf.engine().runKernel(POLYAK_KERNEL, inputs, { tau, count: tensors.length }) as tf.Tensor[]
}

/**
 * A chain of dense layers `h(i+1) = act_i(h(i)·W_i + b_i)` as one native kernel forward and one backward (instead of
 * four to six tfjs kernels per layer each way), with the same float32 operations as chaining `dense` on the native
 * kernels. Only while {@link nativeKernelsActive}; `denseStack` calls it by itself.
 *
 * @param x - inputs, shape [batch, in], or its column blocks (e.g. observations and actions), concatenated in order
 * @param layers - kernels ([in, out]) and biases ([out]) of each layer, input first
 * @param activations - each layer's activation
 *
 * @example
 * ```ts
 * const y = nativeDenseStack(x, [{ w: w0, b: b0 }, { w: w1, b: b1 }], ['relu', 'linear'])
 * ```
 */
export const nativeDenseStack = (
  x: tf.Tensor2D | readonly tf.Tensor2D[],
  layers: ReadonlyArray<{ readonly w: tf.Tensor2D; readonly b: tf.Tensor1D }>,
  activations: ReadonlyArray<'linear' | 'relu' | 'tanh'>,
): tf.Tensor2D => {
  const parts: readonly tf.Tensor2D[] = Array.isArray(x) ? x : [x as tf.Tensor2D]
  const attrs = { activations: activations.map((a) => STACK_ACTIVATIONS[a] as number), parts: parts.length }
  const count = layers.length
  // Which gradients tfjs can ask for (gradientScope.ts): decided now, while the inputs are the caller's tensors.
  const needs = {
    needInput: parts.some(needsGradient) ? 1 : 0,
    needLayers: layers.map(({ w, b }) => (needsGradient(w) || needsGradient(b) ? 1 : 0)),
  }
  const forward = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc
    const tensors = args.slice(0, -1) as tf.Tensor[]
    const inputs: tf.NamedTensorMap = {}
    const xs = tensors.slice(0, parts.length)
    const ws = Array.from({ length: count }, (_, i) => tensors[parts.length + 2 * i] as tf.Tensor)
    xs.forEach((t, p) => {
      inputs[`x${p}`] = t
    })
    ws.forEach((w, i) => {
      inputs[`w${i}`] = w
      inputs[`b${i}`] = tensors[parts.length + 2 * i + 1] as tf.Tensor
    })
    const outs = tf.engine().runKernel(STACK_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]
    save([...xs, ...ws, ...outs])
    return {
      value: outs[count - 1] as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const gradInputs: tf.NamedTensorMap = { dy: dy as tf.Tensor }
        for (let p = 0; p < parts.length; p++) gradInputs[`x${p}`] = saved[p] as tf.Tensor
        for (let i = 0; i < count; i++) {
          gradInputs[`w${i}`] = saved[parts.length + i] as tf.Tensor
          gradInputs[`h${i + 1}`] = saved[parts.length + count + i] as tf.Tensor
        }
        return tf.engine().runKernel(STACK_GRAD_KERNEL, gradInputs, {
          ...attrs,
          ...needs,
        } as unknown as tf.NamedAttrMap) as tf.Tensor[]
      },
    }
  })
  return forward(...parts, ...layers.flatMap((l) => [l.w, l.b])) as tf.Tensor2D
}
