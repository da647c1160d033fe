/**
 * The MuJoCo runtime: the official WebAssembly build of MuJoCo from npm (`@mujoco/mujoco`, Google DeepMind's
 * Embind bindings, MuJoCo 3.14.0), loaded once per process.
 *
 * WebAssembly compiles asynchronously, while envs are made synchronously (`makeEnv` returns an `Env`), so the runtime
 * is loaded explicitly: `await loadMujoco()` once, then make MuJoCo envs as any other. Importing this package does not
 * load the 10 MB module; only `loadMujoco()` does.
 *
 * Only the small part of the bindings the envs use is typed here ({@link MujocoModule}, {@link MjModelHandle},
 * {@link MjDataHandle}); the package's own declarations type most arrays as `any`. Array properties are live views
 * into the WebAssembly memory: a view goes stale (length 0) when the memory grows, so read them again after anything
 * that may allocate (the envs read them afresh in every call).
 *
 * @module mujoco/runtime
 */

/** An Embind object: C++ memory that JavaScript's garbage collector never frees; call `delete()` exactly once. */
export interface EmbindHandle {
  /** Frees the C++ object. */
  readonly delete: () => void
  /** Whether `delete()` has been called. */
  readonly isDeleted: () => boolean
}

/** The fields of MuJoCo's `mjModel` the envs read (sizes, options, geometry, actuators). */
export interface MjModelHandle extends EmbindHandle {
  readonly nq: number
  readonly nv: number
  readonly nu: number
  readonly na: number
  readonly nbody: number
  readonly ngeom: number
  readonly nsite: number
  readonly opt: { readonly timestep: number }
  readonly qpos0: Float64Array
  readonly actuator_ctrlrange: Float64Array
  readonly body_mass: Float64Array
  readonly geom_type: Int32Array
  readonly geom_size: Float64Array
  readonly geom_rgba: Float32Array
  readonly geom_bodyid: Int32Array
  readonly geom_pos: Float64Array
}

/** The fields of MuJoCo's `mjData` the envs read and write. */
export interface MjDataHandle extends EmbindHandle {
  readonly time: number
  readonly qpos: Float64Array
  readonly qvel: Float64Array
  readonly act: Float64Array
  readonly ctrl: Float64Array
  readonly xpos: Float64Array
  readonly site_xpos: Float64Array
  readonly geom_xpos: Float64Array
  readonly geom_xmat: Float64Array
  readonly cfrc_ext: Float64Array
  readonly qfrc_constraint: Float64Array
  readonly maxuse_arena: number
}

/** The part of the `@mujoco/mujoco` module the envs call. */
export interface MujocoModule {
  readonly MjModel: { readonly from_xml_string: (xml: string) => MjModelHandle }
  readonly MjData: new (model: MjModelHandle) => MjDataHandle
  readonly mj_step: (model: MjModelHandle, data: MjDataHandle) => void
  readonly mj_forward: (model: MjModelHandle, data: MjDataHandle) => void
  readonly mj_resetData: (model: MjModelHandle, data: MjDataHandle) => void
  readonly mj_rnePostConstraint: (model: MjModelHandle, data: MjDataHandle) => void
  readonly mj_name2id: (model: MjModelHandle, type: number, name: string) => number
  readonly mj_versionString: () => string
  readonly mjtObj: { readonly mjOBJ_BODY: { readonly value: number }; readonly mjOBJ_SITE: { readonly value: number } }
  readonly getExceptionMessage?: (exception: unknown) => readonly [string, string] | string
}

/**
 * The loaded runtime: the module and the MuJoCo version it reports.
 *
 * @example
 * ```ts
 * const runtime = await loadMujoco()
 * runtime.version // '3.14.0'
 * ```
 */
export interface MujocoRuntime {
  /** The Embind module. */
  readonly module: MujocoModule
  /** `mj_versionString()`, e.g. `'3.14.0'`. */
  readonly version: string
}

let loading: Promise<MujocoRuntime> | undefined
let loaded: MujocoRuntime | undefined

/**
 * Loads the MuJoCo WebAssembly module (once per process; later calls return the same promise). Needed before making
 * any MuJoCo env. Takes a few hundred milliseconds in Node.
 *
 * @throws (the promise rejects) when the module cannot be imported or instantiated; a later call tries again
 *
 * @example
 * ```ts
 * import { loadMujoco, makeEnv } from '@polyak/envs'
 *
 * await loadMujoco()
 * const env = makeEnv('HalfCheetah-v5')
 * ```
 */
export const loadMujoco = (): Promise<MujocoRuntime> => {
  if (loading === undefined) {
    loading = import('@mujoco/mujoco')
      .then(async ({ default: factory }) => {
        const module = (await factory()) as unknown as MujocoModule
        loaded = { module, version: module.mj_versionString() }
        return loaded
      })
      .catch((error: unknown) => {
        loading = undefined
        throw new Error(`loadMujoco: cannot load the MuJoCo WebAssembly module (@mujoco/mujoco): ${String(error)}`)
      })
  }
  return loading
}

/**
 * Whether {@link loadMujoco} has finished, so MuJoCo envs can be made.
 *
 * @example
 * ```ts
 * if (!isMujocoLoaded()) await loadMujoco()
 * ```
 */
export const isMujocoLoaded = (): boolean => loaded !== undefined

/**
 * The loaded runtime, for synchronous code that makes an env.
 *
 * @throws Error naming `who` and telling to `await loadMujoco()` first when the runtime is not loaded yet
 *
 * @example
 * ```ts
 * await loadMujoco()
 * mujocoRuntime('HalfCheetah-v5').version // '3.14.0'
 * ```
 */
export const mujocoRuntime = (who: string): MujocoRuntime => {
  if (loaded === undefined) {
    throw new Error(
      `${who} runs on the MuJoCo WebAssembly runtime, which loads asynchronously: call \`await loadMujoco()\` ` +
        `(from '@polyak/envs') once before making it`,
    )
  }
  return loaded
}
