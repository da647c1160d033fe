import { Box } from '@polyak/core'
import { describe, expect, it } from 'vitest'
import type { Env } from '../Env.js'
import { makeEnv, prepareEnv, registeredEnvIds } from '../registry.js'
import { wrapEnv } from '../wrapEnv.js'
import { checkEnv, findEnvProblems } from './checkEnv.js'
import { makeFakeContinuousEnv } from './makeFakeContinuousEnv.js'

describe('checkEnv', () => {
  // a short rollout per env, across at least one episode end for the envs with short episodes
  it.each(registeredEnvIds())('%s keeps the Env contract', async (id) => {
    await prepareEnv(id)
    expect(findEnvProblems(() => makeEnv(id, { maxEpisodeSteps: 15 }), { seed: 3, steps: 20 })).toEqual([])
  })

  it('passes the fake env, given as an env or as a factory', () => {
    expect(() => checkEnv(makeFakeContinuousEnv({ episodeLength: 4 }))).not.toThrow()
    expect(() => checkEnv(() => makeFakeContinuousEnv({ ending: 'terminated', episodeLength: 3 }))).not.toThrow()
  })

  it('reports every broken part of the contract, and checkEnv throws listing them', () => {
    const broken = (): Env => {
      const inner = makeFakeContinuousEnv({ observationSize: 2, episodeLength: 5 })
      let closed = false
      const buffer = new Float32Array(2)
      return wrapEnv(inner, {
        id: 'Broken-v0',
        reset: (options) => {
          const { info } = inner.reset(options)
          buffer[0] = Math.random() // not seeded
          buffer[1] = 3 // outside Box(−1, 1)
          return { observation: buffer, info }
        },
        step: (action) => {
          const result = inner.step(Array.from(action).slice(0, 1))
          return { ...result, reward: Number.NaN, terminated: 0 as unknown as boolean }
        },
        render: () => ({ width: 2, height: 2, data: new Uint8Array(3) }),
        close: () => {
          if (closed) throw new Error('closed twice')
          closed = true
        },
      })
    }
    const problems = findEnvProblems(broken, { steps: 10 })
    const expected = [
      'reset: observation[1] = 3 is outside the observation space [-1, 1]',
      'step: the reward is NaN, not a finite number',
      'step: terminated is 0, not a boolean',
      'reset({ seed }) again on the same env: observation 0 differs for the same seed and actions (not deterministic)',
      "render: the frame's data is not a Uint8Array of width·height·3 = 12 bytes",
      'step accepted an action of 2 values (the action space has 1)',
      'close threw when called a second time (it must be harmless)',
      'reset after close did not throw',
      'step after close did not throw',
      'render after close did not throw',
    ]
    for (const problem of expected) expect(problems).toContain(problem)
    expect(problems.some((p) => p.includes('same observation array as an earlier call'))).toBe(true)
    expect(() => checkEnv(broken, { steps: 10 })).toThrow(/^checkEnv\(Broken-v0\): \d+ problems:\n {2}- /)
  })

  it('reports bad spaces, wrong observation types and sizes, and a factory that throws', () => {
    const fake = makeFakeContinuousEnv()
    expect(findEnvProblems(wrapEnv(fake, { actionSpace: { shape: [1], low: [1], high: [0] } }))).toEqual([
      'actionSpace is not a valid BoxSpec: {"shape":[1],"low":[1],"high":[0]}',
    ])
    expect(findEnvProblems(wrapEnv(makeFakeContinuousEnv(), { actionSpace: Box.box(-Infinity, Infinity) }))).toContain(
      'actionSpace has an infinite bound: deterministic policies scale their actions to the bounds',
    )
    const plain = makeFakeContinuousEnv()
    const wrongType = wrapEnv(plain, { reset: (o) => ({ ...plain.reset(o), observation: [0, 0, 0] as never }) })
    expect(findEnvProblems(wrongType)).toContain('reset: the observation is not a Float32Array (got 0,0,0)')
    const other = makeFakeContinuousEnv()
    const wrongSize = wrapEnv(other, { step: (a) => ({ ...other.step(a), observation: new Float32Array(2) }) })
    expect(findEnvProblems(wrongSize)).toContain('step: the observation has 2 values, the observation space 3')
    expect(
      findEnvProblems(() => {
        throw new Error('no such env')
      }),
    ).toEqual(['making the env threw: no such env'])
  })

  it('finds state shared between two envs of one factory', () => {
    let shared = 0
    const factory = () => {
      const inner = makeFakeContinuousEnv()
      return wrapEnv(inner, {
        step: (a) => {
          shared += 1
          return { ...inner.step(a), reward: shared }
        },
      })
    }
    expect(findEnvProblems(factory, { steps: 5 })).toContain(
      "reset({ seed }) again on the same env: step 0's reward or end differs for the same seed and actions",
    )
  })
})
