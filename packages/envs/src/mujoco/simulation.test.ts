import { beforeAll, describe, expect, it } from 'vitest'
import { pixelAt } from '../Frame.js'
import { makeEnv } from '../registry.js'
import { makeAnt } from './Ant.js'
import { HALF_CHEETAH_XML, makeHalfCheetah } from './HalfCheetah.js'
import { makeHopper } from './Hopper.js'
import { makeInvertedDoublePendulum } from './InvertedDoublePendulum.js'
import { makeInvertedPendulum } from './InvertedPendulum.js'
import type { MujocoEnv } from './MujocoEnv.js'
import { makeReacher } from './Reacher.js'
import { isMujocoLoaded, loadMujoco, type MujocoRuntime } from './runtime.js'
import { loadSimulation, MjcfError } from './simulation.js'
import { makeWalker2d } from './Walker2d.js'

const FACTORIES: readonly (readonly [string, () => MujocoEnv])[] = [
  ['InvertedPendulum-v5', () => makeInvertedPendulum()],
  ['InvertedDoublePendulum-v5', () => makeInvertedDoublePendulum()],
  ['Reacher-v5', () => makeReacher()],
  ['HalfCheetah-v5', () => makeHalfCheetah()],
  ['Hopper-v5', () => makeHopper()],
  ['Walker2d-v5', () => makeWalker2d()],
  ['Ant-v5', () => makeAnt()],
]

/** Loads a model that does not compile and returns the error it throws. */
const loadError = (runtime: MujocoRuntime, xml: string): unknown => {
  try {
    loadSimulation(runtime, xml, 'test model').dispose()
  } catch (error) {
    return error
  }
  throw new Error('expected the model not to load')
}

// Runs first, in this file's fresh process: nothing has loaded the runtime yet.
describe('before loadMujoco()', () => {
  it('making a MuJoCo env throws an error that says to await loadMujoco()', () => {
    expect(isMujocoLoaded()).toBe(false)
    expect(() => makeHalfCheetah()).toThrow(
      /HalfCheetah-v5 runs on the MuJoCo WebAssembly runtime.*await loadMujoco\(\)/,
    )
    expect(() => makeEnv('Hopper-v5')).toThrow(/Hopper-v5 runs on the MuJoCo WebAssembly runtime/)
  })
})

describe('the MuJoCo runtime and simulation layer', () => {
  let runtime: MujocoRuntime
  beforeAll(async () => {
    runtime = await loadMujoco()
  })

  it('loads once: later calls give the same runtime, MuJoCo 3.14.0', async () => {
    expect(isMujocoLoaded()).toBe(true)
    expect(await loadMujoco()).toBe(runtime)
    expect(runtime.version).toBe('3.14.0')
  })

  it('turns MJCF load failures into readable MjcfErrors, without leaking memory', () => {
    const badKeyword = loadError(runtime, '<mujoco><worldbody><geom type="blob" size="1"/></worldbody></mujoco>')
    expect(badKeyword).toBeInstanceOf(MjcfError)
    expect((badKeyword as Error).message).toBe(
      "test model: cannot load the MJCF model: XML Error: invalid keyword: 'blob'; Element 'geom', line 1",
    )
    expect((loadError(runtime, 'not xml') as Error).message).toMatch(
      /^test model: cannot load the MJCF model: XML parse error/,
    )
    expect((loadError(runtime, '') as Error).message).toMatch(/cannot load the MJCF model: ParseXML: empty file/)
    // Through an env: the env's id, MuJoCo's reason, the element and the line.
    const xml = HALF_CHEETAH_XML.replace('<geom name="head"', '<geom bogus="1" name="head"')
    expect(() => makeHalfCheetah({ xml })).toThrow(
      /^HalfCheetah-v5: cannot load the MJCF model: XML Error: Schema violation: unrecognized attribute: 'bogus'; Element 'geom', line \d+$/,
    )
    expect(() => makeEnv('Hopper-v5', { xml: '<mujoco><worldbody>' })).toThrow(MjcfError)
    // Failed loads free what they allocated.
    const probe = makeInvertedPendulum()
    const before = probe.wasmMemoryBytes()
    for (let i = 0; i < 50; i++)
      loadError(runtime, '<mujoco><worldbody><body><geom size="0.1"/><joint/></body></worldbody>')
    expect(probe.wasmMemoryBytes()).toBe(before)
    probe.close()
  })

  it('does not grow the WebAssembly heap over 1000 resets of any env', () => {
    for (const [id, make] of FACTORIES) {
      const env = make()
      env.reset({ seed: 0 })
      env.step(new Float32Array(env.actionSpace.shape[0] ?? 0))
      const before = env.wasmMemoryBytes()
      for (let i = 0; i < 1000; i++) env.reset(i % 2 === 0 ? { seed: i } : {})
      expect(env.wasmMemoryBytes(), id).toBe(before)
      env.close()
    }
  })

  it('close() frees the model and the data, and closed envs give their memory back', () => {
    const env = makeHopper()
    env.reset({ seed: 0 })
    expect(env.isReleased()).toBe(false)
    env.close()
    expect(env.isReleased()).toBe(true)
    expect(() => env.step([0, 0, 0])).toThrow(/Hopper-v5: step\(\) called after close\(\)/)
    expect(() => env.reset()).toThrow(/after close/)
    expect(() => env.render()).toThrow(/after close/)
    expect(() => env.simulation.qpos()).toThrow(/freed/)
    expect(() => env.close()).not.toThrow()

    const probe = makeInvertedPendulum()
    makeHalfCheetah().close() // lets the allocator settle
    const before = probe.wasmMemoryBytes()
    for (let i = 0; i < 40; i++) {
      const cheetah = makeHalfCheetah()
      cheetah.reset({ seed: i })
      cheetah.step([0.1, 0.2, 0.3, -0.1, -0.2, -0.3])
      cheetah.close()
    }
    expect(probe.wasmMemoryBytes()).toBe(before)
    // The probe can see a leak: the same envs left open grow the heap.
    const open = Array.from({ length: 40 }, () => makeHalfCheetah())
    expect(probe.wasmMemoryBytes()).toBeGreaterThan(before)
    for (const cheetah of open) cheetah.close()
    probe.close()
  })

  it('renders every env into a 480 × 480 frame with its geoms drawn, and the picture follows the state', () => {
    const sky = [230, 236, 242]
    for (const [id, make] of FACTORIES) {
      const env = make()
      expect(() => env.render()).toThrow(/call reset\(\) before render\(\)/)
      env.reset({ seed: 0 })
      const frame = env.render()
      expect([frame.width, frame.height, frame.data.length], id).toEqual([480, 480, 480 * 480 * 3])
      let drawn = 0
      for (let i = 0; i < frame.data.length; i += 3) {
        if (frame.data[i] !== sky[0] || frame.data[i + 1] !== sky[1] || frame.data[i + 2] !== sky[2]) drawn++
      }
      expect(drawn, id).toBeGreaterThan(300)
      env.close()
    }
    // InvertedPendulum (200 pixels per metre, centred on (0, 0.25)): the pole (rgba 0 0.7 0.7) is drawn at height
    // 0.4 above the cart, and moves away with the cart.
    const cyan = Math.round(255 * Math.fround(0.7))
    const pendulum = makeInvertedPendulum()
    pendulum.setState([0, 0], [0, 0])
    const poleY = 240 - (0.4 - 0.25) * 200
    expect(pixelAt(pendulum.render(), 240, poleY)).toEqual([0, cyan, cyan])
    pendulum.setState([0.5, 0], [0, 0])
    expect(pixelAt(pendulum.render(), 240, poleY)).toEqual(sky)
    expect(pixelAt(pendulum.render(), 240 + 100, poleY)).toEqual([0, cyan, cyan])
    pendulum.close()
  })
})
