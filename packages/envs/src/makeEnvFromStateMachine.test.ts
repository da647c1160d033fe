import { Box, ConfigError, optional, Rng, strictObject } from '@polyak/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Env, StepResult } from './Env.js'
import { makeFrame } from './Frame.js'
import { makeMountainCarContinuous } from './MountainCarContinuous.js'
import { decodeResetOptions, type EnvStateMachine, makeEnvFromStateMachine } from './makeEnvFromStateMachine.js'
import { makePendulum } from './Pendulum.js'

/** A walk whose start is drawn from the reset key in [0, 1); terminal from 4 on. */
const walk: EnvStateMachine<number> = {
  id: 'Walk-v0',
  observationSpace: Box.box(-10, 10, [1]),
  actionSpace: Box.box(-1, 1),
  initial: (key) => Rng.uniform(key, 1)[0] ?? 0,
  transition: (state, action) => {
    const next = state + (action[0] ?? 0)
    return { state: next, reward: -Math.abs(state), terminated: next >= 4 }
  },
  observe: (state) => Float32Array.of(state),
  render: () => makeFrame(1, 1),
}

/** Three episodes of `steps` steps with fixed actions: the first reset seeded, the next two not. */
const episodes = (env: Env, seed: number, steps: number): number[][] =>
  [0, 1, 2].map((episode) => {
    const trace = Array.from(env.reset(episode === 0 ? { seed } : {}).observation)
    for (let t = 0; t < steps; t++) {
      const result: StepResult = env.step([Math.sin(t + episode) * 0.5])
      trace.push(...result.observation, result.reward)
    }
    return trace
  })

describe('makeEnvFromStateMachine', () => {
  it('same seed, same trajectories, resets without a seed included (Pendulum, MountainCar)', () => {
    for (const make of [makePendulum, makeMountainCarContinuous]) {
      fc.assert(
        fc.property(fc.integer({ min: -1e6, max: 1e6 }), (seed) => {
          expect(episodes(make(), seed, 20)).toEqual(episodes(make(), seed, 20))
        }),
        { numRuns: 20 },
      )
    }
  })

  it('a reset without a seed continues the key stream: a new start, the same as seeding the stream key', () => {
    const env = makeEnvFromStateMachine(walk)
    const first = env.reset({ seed: 7 }).observation[0]
    const second = env.reset().observation[0]
    const third = env.reset().observation[0]
    expect(new Set([first, second, third]).size).toBe(3)
    const [firstKey, stream] = Rng.split(Rng.key(7))
    const [secondKey] = Rng.split(stream)
    expect(first).toBe(Math.fround(Rng.uniform(firstKey, 1)[0] ?? Number.NaN))
    expect(second).toBe(Math.fround(Rng.uniform(secondKey, 1)[0] ?? Number.NaN))
    expect(env.reset({ seed: 7 }).observation[0]).toBe(first) // re-seeding starts over
  })

  it('an env never seeded starts as if seeded with 0; different seeds give different starts', () => {
    const unseeded = makeEnvFromStateMachine(walk).reset().observation
    expect(unseeded).toEqual(makeEnvFromStateMachine(walk).reset({ seed: 0 }).observation)
    expect(unseeded).not.toEqual(makeEnvFromStateMachine(walk).reset({ seed: 1 }).observation)
  })

  it('returns a fresh observation every time, so a caller writing into one changes nothing', () => {
    const env = makePendulum()
    const { observation } = env.reset({ seed: 3 })
    const copy = Float32Array.from(observation)
    observation.fill(99)
    const a = env.step([0.1])
    const b = makePendulum()
    b.reset({ seed: 3 })
    expect(a.observation).toEqual(b.step([0.1]).observation)
    expect(a.observation).not.toBe(observation)
    expect(copy[0]).not.toBe(99)
  })

  it('reports terminated from the machine and never truncated', () => {
    const env = makeEnvFromStateMachine(walk)
    env.reset({ seed: 0 })
    const results = Array.from({ length: 6 }, () => env.step([1]))
    expect(results.map((r) => r.terminated)).toEqual([false, false, false, true, true, true])
    expect(results.every((r) => !r.truncated)).toBe(true)
  })

  it('throws clear errors before reset, after close, and for a bad seed', () => {
    const env = makeEnvFromStateMachine(walk)
    expect(() => env.step([0])).toThrow('Walk-v0: call reset() before step()')
    expect(() => env.render()).toThrow('Walk-v0: call reset() before render()')
    expect(() => env.reset({ seed: 1.5 })).toThrow('Walk-v0: reset: seed must be a safe integer, got 1.5')
    env.reset()
    expect(env.render()).toEqual(makeFrame(1, 1))
    env.close()
    env.close()
    expect(() => env.step([0])).toThrow('Walk-v0: step() called after close()')
    expect(() => env.reset()).toThrow('Walk-v0: reset() called after close()')
  })

  it('decodeResetOptions names the env and the field', () => {
    const codec = strictObject('options', { low: optional(Box.BoxSpecCodec) })
    expect(decodeResetOptions('Walk-v0', codec, undefined)).toEqual({})
    expect(() => decodeResetOptions('Walk-v0', codec, { lo: 1 })).toThrow(ConfigError)
    expect(() => decodeResetOptions('Walk-v0', codec, { lo: 1 })).toThrow(
      /Invalid reset options of Walk-v0:\n {2}- lo: unknown key/,
    )
  })
})
