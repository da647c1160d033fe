import { Rng } from '@polyak/core'
import { makeFakeContinuousEnv } from '@polyak/envs/test'
import { type ActionEvent, gaussianNoise, gaussianProcess } from '@polyak/noise'
import { from, lastValueFrom, map, range, toArray } from 'rxjs'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { everyN } from './everyN.js'
import { explore } from './explore.js'
import { episodeSeed, rollout } from './rollout.js'

const scheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b))
const proposal = (t: number, episodeStart = false): ActionEvent => ({
  t,
  envIndex: 0,
  episodeStart,
  action: Float32Array.of(0.25),
})

describe('everyN', () => {
  it('lets through every n-th value and unsubscribes early', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-d-e-f-|')
      expectObservable(source.pipe(everyN(2))).toBe('---b---d---f-|')
      expectObservable(source.pipe(everyN(3)), '^------!').toBe('-----c-')
      expectSubscriptions(source.subscriptions).toBe(['^------------!', '^------!'])
    })
    expect(() => everyN(0)).toThrow(/n must be/)
  })
})

describe('explore', () => {
  const options = { process: gaussianProcess(0.3), key: Rng.key(4), warmupSteps: 2, low: [-1], high: [1] }

  it('answers warm-up steps with uniform random actions, later ones with clipped noisy actions, in order', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('abcd|', { a: proposal(0, true), b: proposal(1), c: proposal(2), d: proposal(3) })
      expectObservable(
        source.pipe(
          explore(options),
          map((e) => e.t),
        ),
      ).toBe('abcd|', { a: 0, b: 1, c: 2, d: 3 })
    })
    const out: { t: number; action: number; noise: number }[] = []
    from([proposal(0, true), proposal(1), proposal(2), proposal(3)])
      .pipe(explore(options))
      .subscribe((e) => out.push({ t: e.t ?? -1, action: e.action[0] as number, noise: e.noise[0] as number }))
    const [, noiseKey] = Rng.split(options.key, 2)
    expect(out.slice(0, 2).map((e) => e.noise)).toEqual([0, 0])
    expect(out[0]?.action).not.toBe(0.25)
    for (const e of out.slice(2)) {
      const noise = gaussianNoise(Rng.foldIn(noiseKey, e.t), 1, 0.3)[0] as number
      expect(e.noise).toBe(noise)
      expect(e.action).toBeCloseTo(Math.min(1, Math.max(-1, 0.25 + noise)), 6)
    }
  })

  it('unsubscribes early from its source', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-|', { a: proposal(0), b: proposal(5), c: proposal(6) })
      expectObservable(
        source.pipe(
          explore(options),
          map((e) => e.t),
        ),
        '^--!',
      ).toBe('-a-', { a: 0 })
      expectSubscriptions(source.subscriptions).toBe('^--!')
    })
  })
})

describe('rollout', () => {
  const makeOptions = (closed: { count: number }) => ({
    makeEnv: () => {
      const env = makeFakeContinuousEnv({ episodeLength: 3 })
      return {
        ...env,
        close: () => {
          closed.count += 1
          env.close()
        },
      }
    },
    policy: () => Float32Array.of(0.5),
    explore: map((e: ActionEvent) => ({ ...e, noise: new Float32Array(1) })),
    seed: 7,
  })

  it('steps the env once per tick, reports episode ends with float32 returns, and chains observations', async () => {
    const closed = { count: 0 }
    const steps = await lastValueFrom(range(0, 7).pipe(rollout(makeOptions(closed)), toArray()))
    expect(steps.map((s) => s.t)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(steps.map((s) => s.episode)).toEqual([0, 0, 0, 1, 1, 1, 2])
    expect(steps.map((s) => s.episodeEnd !== undefined)).toEqual([false, false, true, false, false, true, false])
    expect(steps[2]?.episodeEnd).toEqual({ return: 0, length: 3 })
    expect(steps[1]?.transition.observation).toEqual(steps[0]?.transition.nextObservation)
    expect(steps[2]?.transition.truncated).toBe(true)
    expect(steps[3]?.transition.observation).not.toEqual(steps[2]?.transition.nextObservation) // a new episode
    expect(closed.count).toBe(1)
  })

  it('seeds episode e with episodeSeed(seed, e), so a rollout started at episode 1 replays the rest exactly', async () => {
    const closed = { count: 0 }
    const whole = await lastValueFrom(range(0, 6).pipe(rollout(makeOptions(closed)), toArray()))
    const resumed = await lastValueFrom(
      range(3, 3).pipe(rollout({ ...makeOptions(closed), firstEpisode: 1 }), toArray()),
    )
    expect(resumed).toEqual(whole.slice(3))
    expect(episodeSeed(7, 1)).not.toBe(episodeSeed(7, 0))
  })

  it('closes its env when unsubscribed early', () => {
    const closed = { count: 0 }
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const ticks = hot('-a-b-c-d-|', { a: 0, b: 1, c: 2, d: 3 })
      expectObservable(
        ticks.pipe(
          rollout(makeOptions(closed)),
          map((s) => s.t),
        ),
        '^----!',
      ).toBe('-a-b-', { a: 0, b: 1 })
      expectSubscriptions(ticks.subscriptions).toBe('^----!')
    })
    expect(closed.count).toBe(1)
  })
})
