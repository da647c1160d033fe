import { beforeAll, describe, expect, it } from 'vitest'
import { makeAnt } from './Ant.js'
import { makeHalfCheetah } from './HalfCheetah.js'
import { makeHopper } from './Hopper.js'
import { makeInvertedDoublePendulum } from './InvertedDoublePendulum.js'
import { makeInvertedPendulum } from './InvertedPendulum.js'
import type { MujocoEnv } from './MujocoEnv.js'
import { makeReacher } from './Reacher.js'
import { loadMujoco } from './runtime.js'
import { GYMNASIUM_MUJOCO_REFERENCE } from './test-utils/gymnasiumMujocoReference.js'
import { makeWalker2d } from './Walker2d.js'

const FACTORIES: Readonly<Record<string, () => MujocoEnv>> = {
  'InvertedPendulum-v5': () => makeInvertedPendulum(),
  'InvertedDoublePendulum-v5': () => makeInvertedDoublePendulum(),
  'Reacher-v5': () => makeReacher(),
  'HalfCheetah-v5': () => makeHalfCheetah(),
  'Hopper-v5': () => makeHopper(),
  'Walker2d-v5': () => makeWalker2d(),
  'Ant-v5': () => makeAnt(),
}

/** The script's actions: a_t[j] = scale · high_j · (((7919·t + 104729·j) mod 2401) − 1200) / 1000. */
const referenceAction = (t: number, high: readonly number[], scale: number): number[] =>
  high.map((h, j) => (scale * h * (((7919 * t + 104729 * j) % 2401) - 1200)) / 1000)

/** |a − b| ≤ tolerance · max(1, |b|), elementwise, with the index of the first failure in the message. */
const expectClose = (actual: ArrayLike<number>, expected: readonly number[], tolerance: number, what: string) => {
  expect(actual.length, `${what}: length`).toBe(expected.length)
  let worst = 0
  let worstIndex = -1
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] ?? Number.NaN
    const error = Math.abs((actual[i] ?? Number.NaN) - e) / Math.max(1, Math.abs(e))
    if (!(error <= worst)) {
      worst = error
      worstIndex = i
    }
  }
  expect(worst, `${what}: worst relative error at index ${worstIndex}`).toBeLessThanOrEqual(tolerance)
}

beforeAll(async () => {
  await loadMujoco()
})

describe('the MuJoCo envs against trajectories computed by Gymnasium with native MuJoCo', () => {
  it('uses the MuJoCo version the reference was computed with', async () => {
    expect((await loadMujoco()).version).toBe(GYMNASIUM_MUJOCO_REFERENCE.mujoco)
  })

  for (const [id, reference] of Object.entries(GYMNASIUM_MUJOCO_REFERENCE.envs)) {
    it(`${id}: same observations, rewards, info and termination from the same state and actions`, () => {
      const make = FACTORIES[id]
      if (make === undefined) throw new Error(`no factory for ${id}`)
      const env = make()
      try {
        env.reset({ seed: 0 })
        expectClose(env.setState(reference.qpos, reference.qvel), reference.firstObservation, 1e-7, 'first observation')
        const steps = reference.rewards.length
        let terminatedStep: number | null = null
        for (let t = 0; t < steps; t++) {
          const result = env.step(referenceAction(t, env.actionSpace.high, reference.scale))
          const expectedInfo = reference.infos[t] ?? {}
          expect(Object.keys(result.info).sort(), `info keys at step ${t}`).toEqual(Object.keys(expectedInfo).sort())
          const keys = Object.keys(expectedInfo)
          expectClose(
            keys.map((key) => result.info[key] as number),
            keys.map((key) => expectedInfo[key] ?? Number.NaN),
            1e-9,
            `info at step ${t}`,
          )
          expectClose([result.reward], [reference.rewards[t] ?? Number.NaN], 1e-9, `reward at step ${t}`)
          const observation = reference.observations[String(t)]
          if (observation !== undefined) expectClose(result.observation, observation, 1e-7, `observation at step ${t}`)
          if (result.terminated) {
            terminatedStep = t
            break
          }
        }
        expect(terminatedStep).toBe(reference.terminatedStep)
      } finally {
        env.close()
      }
    })
  }
})
