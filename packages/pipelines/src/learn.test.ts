import {
  DdpgConfigCodec,
  initTrainState,
  type LearnerStep,
  makeDdpgLearner,
  makeNetworks,
  type TrainState,
} from '@polyak/agents'
import { type Batch, decodeOrThrow, fromTransitions, makeTransition, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { from, lastValueFrom, map, Subject, toArray } from 'rxjs'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { learn, NonFiniteMetricError } from './learn.js'

const networks = makeNetworks({ observationSize: 2, actionSize: 1, low: [-1], high: [1], hiddenSizes: [8] })
const step = makeDdpgLearner(networks, decodeOrThrow(DdpgConfigCodec, { hiddenSizes: [8] }))
const batch = (seed: number): Batch => {
  const u = Rng.uniform(Rng.key(seed), 8 * 6, -1, 1)
  return fromTransitions(
    Array.from({ length: 8 }, (_, i) =>
      makeTransition({
        observation: u.subarray(6 * i, 6 * i + 2),
        action: [u[6 * i + 2] as number],
        reward: u[6 * i + 3] as number,
        nextObservation: u.subarray(6 * i + 4, 6 * i + 6),
        terminated: false,
        truncated: false,
      }),
    ),
  )
}
const options = (overrides: Partial<Parameters<typeof learn>[0]> = {}) => ({
  step,
  initial: () => initTrainState(networks, { critics: 1 }, Rng.key(0)),
  key: Rng.key(1),
  ...overrides,
})

describe('learn', () => {
  it('emits one update per batch and the final state on completion, with marble timing', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const batches = cold('-a-b-|', { a: batch(1), b: batch(2) })
      expectObservable(
        batches.pipe(
          learn(options()),
          map((e) => `${e.kind}:${e.state.step}`),
        ),
      ).toBe('-a-b-(c|)', {
        a: 'update:1',
        b: 'update:2',
        c: 'final:2',
      })
    })
  })

  it('owns the tensors: no growth over 300 updates and nothing left after completion or early unsubscribe', async () => {
    const before = tf.memory().numTensors
    const batches = Array.from({ length: 300 }, (_, i) => batch(i))
    const counts: number[] = []
    await lastValueFrom(
      from(batches).pipe(
        learn(options()),
        map(() => counts.push(tf.memory().numTensors)),
        toArray(),
      ),
    )
    expect(new Set(counts.slice(1)).size).toBe(1)
    expect(tf.memory().numTensors).toBe(before)
    const source = new Subject<Batch>()
    const subscription = source.pipe(learn(options())).subscribe()
    source.next(batch(1))
    expect(tf.memory().numTensors).toBeGreaterThan(before)
    subscription.unsubscribe()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('publishes the initial state at subscription and every new state', () => {
    const published: number[] = []
    const source = new Subject<Batch>()
    const subscription = source.pipe(learn(options({ publish: (s: TrainState) => published.push(s.step) }))).subscribe()
    expect(published).toEqual([0])
    source.next(batch(1))
    source.next(batch(2))
    subscription.unsubscribe()
    expect(published).toEqual([0, 1, 2])
  })

  it('stops with a NonFiniteMetricError naming the metric, discards that update and leaks nothing', () => {
    const before = tf.memory().numTensors
    const poisoned: LearnerStep = (state, b, key) => {
      const result = step(state, b, key)
      return state.step === 1 ? { ...result, metrics: { ...result.metrics, 'losses/critic': Number.NaN } } : result
    }
    const published: number[] = []
    let failure: unknown
    from([batch(1), batch(2), batch(3)])
      .pipe(learn(options({ step: poisoned, publish: (s: TrainState) => published.push(s.step) })))
      .subscribe({ error: (e) => (failure = e) })
    expect(failure).toBeInstanceOf(NonFiniteMetricError)
    expect(String((failure as Error).message)).toMatch(/losses\/critic is NaN at learner step 2/)
    expect(published).toEqual([0, 1])
    expect(tf.memory().numTensors).toBe(before)
  })
})
