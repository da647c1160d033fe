import { makeTransition, type Transition } from '@polyak/core'
import { from, lastValueFrom, map, toArray } from 'rxjs'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { accumulateNSteps, type EnvTransition } from './accumulateNSteps.js'
import { makeNStepAccumulator } from './nStep.js'

const step = (envIndex: number, i: number, ends = false): EnvTransition => ({
  ...makeTransition({
    observation: [100 * envIndex + i],
    action: [0],
    reward: 1,
    nextObservation: [100 * envIndex + i + 1],
    terminated: ends,
    truncated: false,
  }),
  envIndex,
})

const start = (t: Transition): number => t.observation[0] as number

describe('accumulateNSteps', () => {
  const scheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b))

  it('emits once n transitions are pending, flushes at the episode end, and completes with the source', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { a: step(0, 0), b: step(0, 1), c: step(0, 2), d: step(0, 3, true) }
      const source = cold('a-b-c-d---|', values)
      expectObservable(source.pipe(accumulateNSteps({ n: 2, gamma: 0.5 }), map(start))).toBe('--x-y-(zw)|', {
        x: 0,
        y: 1,
        z: 2,
        w: 3,
      })
      expectSubscriptions(source.subscriptions).toBe('^---------!')
    })
  })

  it('unsubscribes early from the source and emits nothing after', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b-c-d-|', { a: step(0, 0), b: step(0, 1), c: step(0, 2), d: step(0, 3) })
      expectObservable(source.pipe(accumulateNSteps({ n: 2, gamma: 0.5 }), map(start)), '^--!').toBe('--x', { x: 0 })
      expectSubscriptions(source.subscriptions).toBe('^--!')
    })
  })

  it('keeps interleaved environments apart and equals one accumulator per environment', async () => {
    const interleaved = [0, 1, 2, 3, 4, 5].flatMap((i) => [step(0, i, i === 3), step(1, i)])
    const out = await lastValueFrom(from(interleaved).pipe(accumulateNSteps({ n: 3, gamma: 0.9 }), toArray()))
    const reference = (env: number) => {
      const accumulator = makeNStepAccumulator({ n: 3, gamma: 0.9 })
      return interleaved.filter((t) => t.envIndex === env).flatMap(({ envIndex: _, ...t }) => accumulator.push(t))
    }
    const byEnv = (env: number) => out.filter((t) => Math.floor(start(t) / 100) === env)
    expect(byEnv(0)).toEqual(reference(0))
    expect(byEnv(1)).toEqual(reference(1))
    expect(byEnv(1).map((t) => t.reward)).toEqual([1 + 0.9 + 0.81, 1 + 0.9 + 0.81, 1 + 0.9 + 0.81, 1 + 0.9 + 0.81])
    // env 0: 0 once three are pending, 1-3 flushed by the termination at 3; 4 and 5 stay pending (no episode end)
    expect(byEnv(0).map(start)).toEqual([0, 1, 2, 3])
  })

  it('is cold and checks its options when made', async () => {
    const operator = accumulateNSteps({ n: 1, gamma: 0.99 })
    const run = () => lastValueFrom(from([step(0, 0), step(0, 1)]).pipe(operator, toArray()))
    expect((await run()).map(start)).toEqual((await run()).map(start))
    expect(() => accumulateNSteps({ n: 0, gamma: 0.99 })).toThrow(/n must be/)
    expect(() => accumulateNSteps({ n: 2, gamma: 1.5 })).toThrow(/gamma/)
  })
})
