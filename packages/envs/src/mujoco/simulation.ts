/**
 * A MuJoCo simulation: one `mjModel` compiled from an MJCF string and its `mjData`, with the few operations the envs
 * need, following Gymnasium's `MujocoEnv`:
 *
 * - `doSimulation(ctrl, n)`: writes the control (MuJoCo clamps it to `ctrlrange` itself) and calls `mj_step` n times;
 *   `rnePostConstraint()` then fills `cfrc_ext` (Gymnasium calls it after every frame-skipped step; only Ant reads it);
 * - `resetData()` and `setState(qpos, qvel)` (which ends with `mj_forward`), as Gymnasium's `reset` / `set_state`;
 * - reads of `qpos`, `qvel`, body and site positions, external and constraint forces, fresh on every call (the views
 *   of the WebAssembly memory go stale when it grows);
 * - `dispose()`, which frees the model and the data.
 *
 * MJCF errors come back as a {@link MjcfError} with MuJoCo's message (`XML Error: … Element 'geom', line 3`).
 *
 * @module mujoco/simulation
 */
import type { MjDataHandle, MjModelHandle, MujocoRuntime } from './runtime.js'

/**
 * The error of an MJCF model MuJoCo cannot load; the message names what was loaded and gives MuJoCo's reason.
 *
 * @example
 * ```ts
 * try {
 *   loadSimulation(runtime, '<mujoco><worldbody><geom type="blob"/></worldbody></mujoco>', 'my model')
 * } catch (error) {
 *   error instanceof MjcfError // true; error.message: "my model: cannot load the MJCF model: XML Error: invalid …"
 * }
 * ```
 */
export class MjcfError extends Error {
  /** MuJoCo's own message, on one line. */
  readonly reason: string

  constructor(what: string, reason: string) {
    super(`${what}: cannot load the MJCF model: ${reason}`)
    this.name = 'MjcfError'
    this.reason = reason
  }
}

/**
 * One MuJoCo model and its data; see the module comment. Arrays returned by the `read…` methods are live views of the
 * WebAssembly memory: use them at once, do not keep them.
 *
 * @example
 * ```ts
 * const simulation = loadSimulation(runtime, xml, 'cart')
 * simulation.doSimulation([0.5], 2)
 * const x = simulation.qpos()[0]
 * simulation.dispose()
 * ```
 */
export interface Simulation {
  readonly nq: number
  readonly nv: number
  readonly nu: number
  readonly nbody: number
  readonly ngeom: number
  readonly nsite: number
  /** The model's `opt.timestep`. */
  readonly timestep: number
  /** A copy of the model's `qpos0` (Gymnasium's `init_qpos`). */
  readonly qpos0: Float64Array
  /** The actuators' control ranges (`actuator_ctrlrange`), one [low, high] per actuator. */
  readonly ctrlRange: readonly (readonly [number, number])[]
  /** The body masses, copied at load time. */
  readonly bodyMass: Float64Array
  /** Live view of `qpos`. */
  readonly qpos: () => Float64Array
  /** Live view of `qvel`. */
  readonly qvel: () => Float64Array
  /** Live view of `xpos` (nbody × 3, the body frames' positions). */
  readonly xpos: () => Float64Array
  /** Live view of `site_xpos` (nsite × 3). */
  readonly siteXpos: () => Float64Array
  /** Live view of `cfrc_ext` (nbody × 6); filled by {@link Simulation.rnePostConstraint}. */
  readonly cfrcExt: () => Float64Array
  /** Live view of `qfrc_constraint` (nv). */
  readonly qfrcConstraint: () => Float64Array
  /** Live views for drawing: the geoms' positions and rotation matrices. */
  readonly geoms: () => { readonly xpos: Float64Array; readonly xmat: Float64Array }
  /** The model's geom types, sizes and colours, copied at load time. */
  readonly geomModel: {
    readonly type: Int32Array
    readonly size: Float64Array
    readonly rgba: Float32Array
  }
  /** The index of a body by name, or −1. */
  readonly bodyId: (name: string) => number
  /** The index of a site by name, or −1. */
  readonly siteId: (name: string) => number
  /** `mj_resetData`. */
  readonly resetData: () => void
  /** Writes qpos and qvel, then `mj_forward` (Gymnasium's `set_state`). */
  readonly setState: (qpos: ArrayLike<number>, qvel: ArrayLike<number>) => void
  /** Writes `ctrl` and runs `mj_step` `nstep` times. */
  readonly doSimulation: (ctrl: ArrayLike<number>, nstep: number) => void
  /** `mj_rnePostConstraint`: computes `cfrc_ext` and the other post-constraint body forces. */
  readonly rnePostConstraint: () => void
  /** The byte length of the runtime's WebAssembly memory (shared by every simulation of the process). */
  readonly memoryBytes: () => number
  /** The most arena bytes the data has used (`maxuse_arena`), to size `<size memory>`. */
  readonly maxArenaUse: () => number
  /** Frees the model and the data; later calls of the other methods throw. Harmless twice. */
  readonly dispose: () => void
  /** Whether the model and data have been freed. */
  readonly isDisposed: () => boolean
}

/** MuJoCo's message on one line, without its "MuJoCo Error: Loading error:" prefix. */
const describeLoadError = (runtime: MujocoRuntime, error: unknown): string => {
  let text: string
  if (error instanceof Error) text = error.message
  else {
    const message = runtime.module.getExceptionMessage?.(error)
    text = Array.isArray(message) ? message.filter((part) => part).join(': ') : String(message ?? error)
  }
  const oneLine = text
    .replace(/^MuJoCo Error:\s*/, '')
    .replace(/^Loading error:\s*/, '')
    .split(/\n+/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join('; ')
  return oneLine.length > 0 ? oneLine : `unknown error (${String(error)})`
}

/**
 * Compiles an MJCF string and makes its data.
 *
 * @throws MjcfError naming `what` with MuJoCo's reason when the model does not load (malformed XML, unknown element
 *   or attribute, invalid values)
 *
 * @example
 * ```ts
 * const runtime = await loadMujoco()
 * const simulation = loadSimulation(runtime, '<mujoco><worldbody/></mujoco>', 'empty')
 * simulation.nq // 0
 * ```
 */
export const loadSimulation = (runtime: MujocoRuntime, xml: string, what: string): Simulation => {
  const mj = runtime.module
  if (typeof xml !== 'string') throw new MjcfError(what, `expected an MJCF string, got ${typeof xml}`)
  let model: MjModelHandle
  try {
    model = mj.MjModel.from_xml_string(xml)
  } catch (error) {
    throw new MjcfError(what, describeLoadError(runtime, error))
  }
  let data: MjDataHandle
  try {
    data = new mj.MjData(model)
  } catch (error) {
    model.delete()
    throw new MjcfError(what, describeLoadError(runtime, error))
  }
  let disposed = false
  const live = (): MjDataHandle => {
    if (disposed) throw new Error(`${what}: the MuJoCo model has been freed (the env was closed)`)
    return data
  }
  const { nq, nv, nu, nbody, ngeom, nsite } = model
  const ctrlRangeFlat = model.actuator_ctrlrange
  const ctrlRange = Array.from(
    { length: nu },
    (_, i) => [ctrlRangeFlat[2 * i] ?? 0, ctrlRangeFlat[2 * i + 1] ?? 0] as const,
  )
  const bodyObject = mj.mjtObj.mjOBJ_BODY.value
  const siteObject = mj.mjtObj.mjOBJ_SITE.value

  return {
    nq,
    nv,
    nu,
    nbody,
    ngeom,
    nsite,
    timestep: model.opt.timestep,
    qpos0: Float64Array.from(model.qpos0),
    ctrlRange,
    bodyMass: Float64Array.from(model.body_mass),
    qpos: () => live().qpos,
    qvel: () => live().qvel,
    xpos: () => live().xpos,
    siteXpos: () => live().site_xpos,
    cfrcExt: () => live().cfrc_ext,
    qfrcConstraint: () => live().qfrc_constraint,
    geoms: () => {
      const current = live()
      return { xpos: current.geom_xpos, xmat: current.geom_xmat }
    },
    geomModel: {
      type: Int32Array.from(model.geom_type),
      size: Float64Array.from(model.geom_size),
      rgba: Float32Array.from(model.geom_rgba),
    },
    bodyId: (name) => mj.mj_name2id(model, bodyObject, name),
    siteId: (name) => mj.mj_name2id(model, siteObject, name),
    resetData: () => mj.mj_resetData(model, live()),
    setState: (qpos, qvel) => {
      const current = live()
      if (qpos.length !== nq || qvel.length !== nv) {
        throw new RangeError(
          `${what}: setState: expected ${nq} qpos and ${nv} qvel values, got ${qpos.length}, ${qvel.length}`,
        )
      }
      current.qpos.set(qpos)
      current.qvel.set(qvel)
      mj.mj_forward(model, current)
    },
    doSimulation: (ctrl, nstep) => {
      const current = live()
      current.ctrl.set(ctrl)
      for (let i = 0; i < nstep; i++) mj.mj_step(model, current)
    },
    rnePostConstraint: () => mj.mj_rnePostConstraint(model, live()),
    memoryBytes: () => live().qpos.buffer.byteLength,
    maxArenaUse: () => live().maxuse_arena,
    dispose: () => {
      if (disposed) return
      disposed = true
      data.delete()
      model.delete()
    },
    isDisposed: () => disposed && data.isDeleted() && model.isDeleted(),
  }
}
