import { Rng } from '@polyak/core'
import { from } from 'rxjs'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import type { ActionEvent, NoisyActionEvent } from './ActionEvent.js'
import { addNoise } from './addNoise.js'
import { gaussianNoise } from './gaussianNoise.js'
import { gaussianProcess, type NoiseProcess } from './NoiseProcess.js'

/** A deterministic process: the noise is the number of samples since the last reset (1, 2, 3, …). */
const counter: NoiseProcess<number> = {
  init: () => 0,
  sample: (_key, n) => ({ noise: Float32Array.of(n + 1, -(n + 1)), state: n + 1 }),
  reset: () => 0,
}

const ev = (envIndex: number, episodeStart: boolean, action: readonly number[] = [0, 0]): ActionEvent => ({
  action: Float32Array.from(action),
  envIndex,
  episodeStart,
})
const out = (e: ActionEvent, action: readonly number[], noise: readonly number[]): NoisyActionEvent => ({
  ...e,
  action: Float32Array.from(action),
  noise: Float32Array.from(noise),
})

const scheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b))

describe('addNoise', () => {
  it('keeps one state per env and resets it on episodeStart', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = {
        a: ev(0, true),
        b: ev(1, true),
        c: ev(0, false),
        d: ev(1, false),
        e: ev(0, true),
        f: ev(1, false),
      }
      const source = cold('a-b-c-d-e-f|', values)
      expectObservable(source.pipe(addNoise(counter, Rng.key(0)))).toBe('a-b-c-d-e-f|', {
        a: out(values.a, [1, -1], [1, -1]),
        b: out(values.b, [1, -1], [1, -1]),
        c: out(values.c, [2, -2], [2, -2]),
        d: out(values.d, [2, -2], [2, -2]),
        e: out(values.e, [1, -1], [1, -1]), // env 0 reset
        f: out(values.f, [3, -3], [3, -3]), // env 1 carries on
      })
      expectSubscriptions(source.subscriptions).toBe('^----------!')
    })
  })

  it('draws the t-th event with Rng.foldIn(key, t) and clips to the bounds', () => {
    const key = Rng.key(42)
    const sigma = 2
    const values = { a: ev(0, true, [0.5, -0.5]), b: ev(3, true, [0, 0.9]), c: ev(0, false, [-0.2, 0.2]) }
    const expected = Object.fromEntries(
      Object.entries(values).map(([name, e], t) => {
        const noise = gaussianNoise(Rng.foldIn(key, t), 2, sigma)
        const low = [-1, -0.5]
        const action = Array.from(e.action, (a, i) => Math.min(1, Math.max(low[i] as number, a + (noise[i] as number))))
        return [name, out(e, action, Array.from(noise))]
      }),
    )
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c|', values)
      const result = source.pipe(addNoise(gaussianProcess(sigma), key, { low: [-1, -0.5], high: 1 }))
      expectObservable(result).toBe('-a-b-c|', expected)
    })
    for (const e of Object.values(expected)) {
      expect(e.action[0]).toBeGreaterThanOrEqual(-1)
      expect(e.action[1]).toBeGreaterThanOrEqual(-0.5)
      expect(Math.max(...e.action)).toBeLessThanOrEqual(1)
    }
  })

  it("draws with the event's own t when it carries one, so a resumed stream draws what the whole one did", () => {
    const key = Rng.key(5)
    const events = [0, 1, 2, 3].map((t) => ({ ...ev(0, t === 0, [0, 0]), t: 100 + t }))
    const run = (list: typeof events) => {
      const got: number[][] = []
      from(list)
        .pipe(addNoise(gaussianProcess(1), key))
        .subscribe((e) => got.push(Array.from(e.noise)))
      return got
    }
    const whole = run(events)
    expect(run(events.slice(2))).toEqual(whole.slice(2))
    expect(whole[0]).toEqual(Array.from(gaussianNoise(Rng.foldIn(key, 100), 2, 1)))
  })

  it('unsubscribes early from the source and emits nothing after', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const values = { a: ev(0, true), b: ev(0, false), c: ev(0, false), d: ev(0, false) }
      const source = hot('--a-b-c-d--|', values)
      expectObservable(source.pipe(addNoise(counter, Rng.key(0))), '^----!').toBe('--a-b-', {
        a: out(values.a, [1, -1], [1, -1]),
        b: out(values.b, [2, -2], [2, -2]),
      })
      expectSubscriptions(source.subscriptions).toBe('^----!')
    })
  })

  it('is cold: resubscribing starts fresh (t = 0, no states)', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = { a: ev(0, true), b: ev(0, false) }
      const noisy = cold('a-b|', values).pipe(addNoise(counter, Rng.key(0)))
      const expected = { a: out(values.a, [1, -1], [1, -1]), b: out(values.b, [2, -2], [2, -2]) }
      expectObservable(noisy).toBe('a-b|', expected)
      expectObservable(noisy, '---^').toBe('---a-b|', expected)
    })
    // same with a real process: two subscriptions see the same noise
    const key = Rng.key(9)
    const collect = (): NoisyActionEvent[] => {
      const seen: NoisyActionEvent[] = []
      scheduler().run(({ cold }) => {
        cold('ab|', { a: ev(0, true), b: ev(0, false) })
          .pipe(addNoise(gaussianProcess(0.3), key))
          .subscribe((e) => seen.push(e))
      })
      return seen
    }
    expect(collect()).toEqual(collect())
  })

  it('passes errors through', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = { a: ev(0, true) }
      expectObservable(cold('a-#', values).pipe(addNoise(counter, Rng.key(0)))).toBe('a-#', {
        a: out(values.a, [1, -1], [1, -1]),
      })
    })
  })
})
