import fc from 'fast-check'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import type { EnvStep } from './EnvStep.js'
import { nextMultiple, schedule } from './schedule.js'

/** Env steps `from … to − 1` of episodes whose ends are at the given step counts (`t + 1`). */
const stepsOf = (ends: readonly number[], from: number, to: number): EnvStep[] =>
  Array.from({ length: to - from }, (_, i) => {
    const t = from + i
    return {
      t,
      envIndex: 0,
      episode: ends.filter((end) => end <= t).length,
      transition: {
        observation: new Float32Array(1),
        action: new Float32Array(1),
        reward: 0,
        nextObservation: new Float32Array(1),
        terminated: false,
        truncated: ends.includes(t + 1),
      },
      ...(ends.includes(t + 1) ? { episodeEnd: { return: 0, length: 1 } } : {}),
    }
  })

/** What the schedule makes over `steps`, synchronously. */
const run = (start: number, every: readonly number[], steps: readonly EnvStep[]): string[] => {
  const out: string[] = []
  const tasks = every.map((e, i) => ({ every: e, run: (_: EnvStep, at: number) => [`${i}@${at}`] }))
  new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold }) => {
    const values = Object.fromEntries(steps.map((s, i) => [String.fromCharCode(0x100 + i), s]))
    cold(Object.keys(values).join('') || '|', values)
      .pipe(schedule(start, tasks))
      .subscribe((e) => out.push(e))
  })
  return out
}

describe('schedule', () => {
  it('nextMultiple is the first multiple strictly after t; every = 0 never comes', () => {
    expect([nextMultiple(0, 30), nextMultiple(29, 30), nextMultiple(30, 30), nextMultiple(31, 30)]).toEqual([
      30, 30, 60, 60,
    ])
    expect(nextMultiple(5, 0)).toBe(Number.POSITIVE_INFINITY)
  })

  it('runs each task at the first episode end at or after each multiple, in task order (marbles)', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const steps = stepsOf([10, 25, 40, 50], 0, 50)
      const at = (t: number) => steps[t] as EnvStep
      const source = cold('a-----b-----c-----d-----|', { a: at(9), b: at(24), c: at(39), d: at(49) })
      const tasks = [
        { every: 20, run: (_: EnvStep, n: number) => [`eval@${n}`] },
        { every: 25, run: (_: EnvStep, n: number) => [`save@${n}`] },
      ]
      // 10: nothing; 25: eval (20) and save (25); 40: eval (40); 50: save (50)
      expectObservable(source.pipe(schedule(0, tasks))).toBe('------(xy)--z-----w-----|', {
        x: 'eval@25',
        y: 'save@25',
        z: 'eval@40',
        w: 'save@50',
      })
      expectSubscriptions(source.subscriptions).toBe('^-----------------------!')
    })
  })

  it('stops with the subscriber: an early unsubscribe ends the source subscription (marbles)', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const steps = stepsOf([10, 20, 30], 0, 30)
      const source = cold('a-b-c-|', { a: steps[9] as EnvStep, b: steps[19] as EnvStep, c: steps[29] as EnvStep })
      const tasks = [{ every: 10, run: (_: EnvStep, n: number) => [n] }]
      expectObservable(source.pipe(schedule(0, tasks)), '^--!').toBe('a-b', { a: 10, b: 20 })
      expectSubscriptions(source.subscriptions).toBe('^--!')
    })
  })

  it('a run resumed at any episode end makes exactly the events the whole run makes after it (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (lengths, every, pick) => {
          let sum = 0
          const ends = lengths.map((l) => {
            sum += l
            return sum
          })
          const total = ends.at(-1) as number
          const resumeAt = ends[pick % ends.length] as number
          const whole = run(0, every, stepsOf(ends, 0, total))
          const resumed = run(resumeAt, every, stepsOf(ends, resumeAt, total))
          const atOf = (e: string) => Number(e.split('@')[1])
          expect(resumed).toEqual(whole.filter((e) => atOf(e) > resumeAt))
        },
      ),
      { numRuns: 200 },
    )
  })
})
