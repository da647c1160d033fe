/**
 * Backend selection: every package speaks the `@tensorflow/tfjs-core` API, and the kernels behind it are chosen
 * here. `wasm` (WebAssembly with SIMD) and `cpu` (plain JavaScript) install from the npm registry alone: `cpu` comes
 * with `@polyak/core`, `wasm` with `@polyak/agents` (for `@polyak/core` alone, an optional peer dependency);
 * `native` is `wasm` with polyak's own compiled matrix products (`native/`, built by `npm install` with the machine's
 * C++ compiler; absent where there is none); `tensorflow` (libtensorflow through `@tensorflow/tfjs-node-gpu` or
 * `@tensorflow/tfjs-node`) is used only when the user has installed one of those optional packages.
 *
 * @module backend
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import {
  defaultNativeThreads,
  disableNativeKernels,
  enableNativeKernels,
  loadNativeAddon,
  type NativeLoad,
  setNativeThreads,
} from './native.js'

/**
 * A backend a user can ask for. `auto` picks the fastest one that loads: `tensorflow`, then `native`, then `wasm`,
 * then `cpu`.
 *
 * @example
 * ```ts
 * const requested: BackendName = 'auto'
 * const info = await setBackend(requested) // info.name: 'tensorflow', 'wasm' or 'cpu'
 * ```
 */
export type BackendName = 'auto' | 'native' | 'wasm' | 'cpu' | 'tensorflow'

/**
 * The concrete backends, fastest first.
 *
 * @example
 * ```ts
 * BACKENDS.join(', ') // 'tensorflow, native, wasm, cpu'
 * ```
 */
export const BACKENDS = ['tensorflow', 'native', 'wasm', 'cpu'] as const

/**
 * A concrete backend (what `auto` resolves to).
 *
 * @example
 * ```ts
 * const active: ConcreteBackend = (await setBackend('auto')).name // never 'auto'
 * ```
 */
export type ConcreteBackend = (typeof BACKENDS)[number]

/**
 * What {@link setBackend} chose, for printing at start-up.
 *
 * @example
 * ```ts
 * const info: BackendInfo = await setBackend('auto')
 * if (info.skipped.length > 0) console.warn(`faster backends skipped: ${info.skipped.join('; ')}`)
 * ```
 */
export interface BackendInfo {
  /** The backend that was asked for. */
  readonly requested: BackendName
  /** The backend now active in tfjs. */
  readonly name: ConcreteBackend
  /** The npm package that provides it. */
  readonly packageName: string
  /** Extra facts (SIMD, threads, devices), one short phrase each. */
  readonly details: readonly string[]
  /** Why faster backends were skipped when `auto` was asked for. */
  readonly skipped: readonly string[]
}

/**
 * Raised when a backend cannot be loaded; the message names the package to install.
 *
 * @example
 * ```ts
 * const info = await setBackend('tensorflow').catch((error: unknown) => {
 *   if (error instanceof BackendUnavailableError) return setBackend('wasm') // error.message names the package
 *   throw error
 * })
 * ```
 */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError'
  constructor(
    readonly backend: ConcreteBackend,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/**
 * Loads a module by name; injectable so tests can simulate an installed or missing package.
 *
 * @example
 * ```ts
 * const notFound = (s: string) => Promise.reject(new Error(`Cannot find package '${s}'`))
 * const withoutNode: ModuleImporter = (s) => (s.startsWith('@tensorflow/tfjs-node') ? notFound(s) : import(s))
 * const info = await setBackend('auto', { importModule: withoutNode }) // info.skipped[0] starts with 'tensorflow: '
 * ```
 */
export type ModuleImporter = (specifier: string) => Promise<unknown>

/**
 * Options of {@link setBackend}.
 *
 * @example
 * ```ts
 * const options: SetBackendOptions = { importModule: (specifier) => import(specifier) }
 * const info = await setBackend('wasm', options)
 * ```
 */
export interface SetBackendOptions {
  /** How optional packages are imported (defaults to dynamic `import()`). */
  readonly importModule?: ModuleImporter
  /** How the native addon is loaded (defaults to {@link loadNativeAddon}); tests simulate a missing build. */
  readonly loadNative?: () => NativeLoad
  /**
   * Threads for the native products, the calling thread included (default: `POLYAK_NATIVE_THREADS`, else the
   * machine's cores, at most 8: see {@link defaultNativeThreads}).
   */
  readonly threads?: number
}

const defaultImporter: ModuleImporter = (specifier) => import(specifier)

const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const isModuleNotFound = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true
  // bundlers and test runners resolve imports themselves and word the same failure differently
  return /cannot find (package|module)|could not resolve|failed to resolve/i.test(describeError(error))
}

const activate = async (name: 'tensorflow' | 'wasm' | 'cpu'): Promise<void> => {
  disableNativeKernels()
  const ok = await tf.setBackend(name)
  await tf.ready()
  if (!ok || tf.getBackend() !== name) {
    throw new BackendUnavailableError(name, `The '${name}' backend is registered but failed to initialise.`)
  }
}

const loadTensorflow = async (importModule: ModuleImporter): Promise<Omit<BackendInfo, 'requested' | 'skipped'>> => {
  const problems: string[] = []
  for (const packageName of TENSORFLOW_PACKAGES) {
    try {
      await importModule(packageName)
    } catch (error) {
      problems.push(
        isModuleNotFound(error) ? `${packageName} is not installed` : `${packageName}: ${describeError(error)}`,
      )
      continue
    }
    if (tf.findBackend('tensorflow') === null) {
      problems.push(`${packageName} loaded but registered no 'tensorflow' backend`)
      continue
    }
    await activate('tensorflow')
    return { name: 'tensorflow', packageName, details: [packageName.endsWith('-gpu') ? 'CUDA' : 'CPU'] }
  }
  throw new BackendUnavailableError(
    'tensorflow',
    `The 'tensorflow' backend needs one of the optional packages @tensorflow/tfjs-node-gpu (CUDA) or ` +
      `@tensorflow/tfjs-node (CPU): install one with \`npm install @tensorflow/tfjs-node\`. ` +
      `(${problems.join('; ')})`,
  )
}

let wasmPathSet = false

const loadWasm = async (importModule: ModuleImporter): Promise<Omit<BackendInfo, 'requested' | 'skipped'>> => {
  const packageName = '@tensorflow/tfjs-backend-wasm'
  let wasm: { setWasmPaths: (prefix: string) => void }
  try {
    wasm = (await importModule(packageName)) as typeof wasm
  } catch (error) {
    throw new BackendUnavailableError('wasm', `The 'wasm' backend needs ${packageName}: npm install ${packageName}.`, {
      cause: error,
    })
  }
  if (!wasmPathSet && typeof process !== 'undefined' && process.versions?.node !== undefined) {
    // In Node the .wasm binaries are read from the installed package, never fetched.
    const require = createRequire(import.meta.url)
    const dir = path.dirname(require.resolve(`${packageName}/package.json`))
    wasm.setWasmPaths(`${dir}${path.sep}dist${path.sep}`)
    wasmPathSet = true
  }
  await activate('wasm')
  const details = [
    tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD',
    tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'threads' : 'single thread',
  ]
  return { name: 'wasm', packageName, details }
}

const loadCpu = async (importModule: ModuleImporter): Promise<Omit<BackendInfo, 'requested' | 'skipped'>> => {
  const packageName = '@tensorflow/tfjs-backend-cpu'
  try {
    await importModule(packageName)
  } catch (error) {
    throw new BackendUnavailableError('cpu', `The 'cpu' backend needs ${packageName}: npm install ${packageName}.`, {
      cause: error,
    })
  }
  await activate('cpu')
  return { name: 'cpu', packageName, details: ['pure JavaScript'] }
}

const loadNative = async (
  importModule: ModuleImporter,
  options: SetBackendOptions,
): Promise<Omit<BackendInfo, 'requested' | 'skipped'>> => {
  const loaded = (options.loadNative ?? loadNativeAddon)()
  if (!loaded.ok)
    throw new BackendUnavailableError('native', `The 'native' backend is not available: ${loaded.reason}.`)
  const threads = options.threads ?? defaultNativeThreads()
  const wasm = await loadWasm(importModule)
  const addon = enableNativeKernels()
  const used = setNativeThreads(threads)
  return {
    name: 'native',
    packageName: '@polyak/core (native/) + @tensorflow/tfjs-backend-wasm',
    details: [
      `${addon.isa} matrix products on ${used} thread${used === 1 ? '' : 's'}`,
      ...wasm.details.map((d) => `wasm ${d}`),
    ],
  }
}

const loaders: Record<
  ConcreteBackend,
  (importModule: ModuleImporter, options: SetBackendOptions) => Promise<Omit<BackendInfo, 'requested' | 'skipped'>>
> = {
  tensorflow: loadTensorflow,
  native: loadNative,
  wasm: loadWasm,
  cpu: loadCpu,
}

/**
 * Loads and activates a tfjs backend, and says which one is active.
 *
 * `auto` tries `tensorflow` (only if `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` is installed), then
 * `native` (only if the addon was built), then `wasm`, then `cpu`, and records why each faster one was skipped. Asking for a specific backend that cannot load
 * rejects with a {@link BackendUnavailableError} naming the package to install.
 *
 * @example
 * ```ts
 * import { formatBackendInfo, setBackend } from '@polyak/core'
 *
 * const info = await setBackend('auto')
 * console.log(formatBackendInfo(info)) // e.g. "backend: wasm (@tensorflow/tfjs-backend-wasm; SIMD, single thread)"
 * ```
 */
export const setBackend = async (name: BackendName = 'auto', options: SetBackendOptions = {}): Promise<BackendInfo> => {
  const importModule = options.importModule ?? defaultImporter
  const { threads } = options
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 64))
    throw new Error(`native threads must be an integer from 1 to 64, got ${threads}`)
  // a bad POLYAK_NATIVE_THREADS is an error here, not a reason for `auto` to pass over the native kernels
  if (threads === undefined && (name === 'auto' || name === 'native')) defaultNativeThreads()
  if (name !== 'auto') {
    if (!(BACKENDS as readonly string[]).includes(name)) {
      throw new Error(`Unknown backend '${String(name)}': expected one of auto, ${BACKENDS.join(', ')}.`)
    }
    return { requested: name, skipped: [], ...(await loaders[name](importModule, options)) }
  }
  const skipped: string[] = []
  for (const candidate of BACKENDS) {
    try {
      return { requested: 'auto', skipped, ...(await loaders[candidate](importModule, options)) }
    } catch (error) {
      skipped.push(`${candidate}: ${describeError(error)}`)
    }
  }
  throw new Error(
    `No tfjs backend could be loaded:\n  - ${skipped.join('\n  - ')}\n` +
      '@polyak/core brings none of its own: install @tensorflow/tfjs-backend-wasm (fast) or ' +
      '@tensorflow/tfjs-backend-cpu (@polyak/agents brings both, @polyak/noise the second).',
  )
}

/**
 * One line describing the active backend, for logs. When `auto` had to pass over the native kernels, the line says
 * why (e.g. the addon was not built for lack of a C++ compiler, or npm 11 did not run the install step), since they
 * are several times faster, and how to get them: approve the install step (`npm install-scripts approve
 * @polyak/core`, or `allowScripts` in package.json) or build by hand (`node node_modules/@polyak/core/native/build.mjs`).
 *
 * @example
 * ```ts
 * formatBackendInfo({ requested: 'cpu', name: 'cpu', packageName: '@tensorflow/tfjs-backend-cpu',
 *   details: ['pure JavaScript'], skipped: [] })
 * // 'backend: cpu (@tensorflow/tfjs-backend-cpu; pure JavaScript)'
 * ```
 */
export const formatBackendInfo = (info: BackendInfo): string => {
  const line = `backend: ${info.name} (${info.packageName}; ${info.details.join(', ')})${info.requested === 'auto' ? ' [auto]' : ''}`
  const native =
    info.name === 'wasm' || info.name === 'cpu' ? info.skipped.find((s) => s.startsWith('native: ')) : undefined
  if (native === undefined) return line
  return (
    `${line}; native kernels skipped: ${native.slice('native: '.length)}. ` +
    `auto chose ${info.name} because the native addon is not built: npm 11 runs @polyak/core's install step only ` +
    `once approved (\`npm install-scripts approve @polyak/core\`, or "allowScripts" in package.json), or build it by ` +
    `hand with \`node node_modules/@polyak/core/native/build.mjs\``
  )
}
