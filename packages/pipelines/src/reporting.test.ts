import { disposeTrainState, initTrainState, makeNetworks } from '@polyak/agents'
import { Rng } from '@polyak/core'
import { makeFakeContinuousEnv } from '@polyak/envs/test'
import { makeStorage } from '@polyak/replay'
import { from, lastValueFrom, Subject, toArray } from 'rxjs'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { checkpoint, type SavedEvent } from './checkpoint.js'
import type { ExperimentSnapshot } from './ExperimentSnapshot.js'
import { evaluate } from './evaluate.js'
import type { ExperimentEvent } from './events.js'
import { logMetrics, type MetricsRecord } from './logMetrics.js'

const networks = makeNetworks({ observationSize: 3, actionSize: 1, low: [-1], high: [1], hiddenSizes: [4] })
const snapshot = (t: number): ExperimentSnapshot => ({
  t,
  episode: 0,
  train: initTrainState(networks, { critics: 1 }, Rng.key(t)),
  replay: { storage: makeStorage({ capacity: 4, observationSize: 3, actionSize: 1 }), stored: 0, batches: 0 },
})
const disposed = (s: ExperimentSnapshot) => Object.values(s.train.actor).every((tensor) => tensor.isDisposed)
const episode = (t: number, r: number): ExperimentEvent => ({ type: 'episode', t, episode: 0, return: r, length: 10 })
const update = (t: number, learnerStep: number, loss: number): ExperimentEvent => ({
  type: 'update',
  t,
  learnerStep,
  metrics: { 'losses/critic': loss, 'values/target': 1 },
})

describe('evaluate', () => {
  it('evaluates the current policy per trigger on the same start states, and unsubscribes early', () => {
    const options = {
      makeEnv: () => makeFakeContinuousEnv({ episodeLength: 5, target: 0.5 }),
      policy: () => [0.25],
      episodes: 3,
      seed: 1,
    }
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ hot, expectObservable, expectSubscriptions }) => {
      const triggers = hot('-a--b--c-|')
      const expected = { meanReturn: 5 * -0.0625, returns: [-0.3125, -0.3125, -0.3125] }
      expectObservable(triggers.pipe(evaluate(options)), '^----!').toBe('-a--b-', { a: expected, b: expected })
      expectSubscriptions(triggers.subscriptions).toBe('^----!')
    })
  })
})

describe('logMetrics', () => {
  it('writes CleanRL-namespaced records, averages losses per block of learner steps, and passes events on', async () => {
    const records: MetricsRecord[] = []
    const events: ExperimentEvent[] = [
      episode(9, -12),
      update(10, 1, 1),
      update(11, 2, 3),
      { type: 'evaluation', t: 12, meanReturn: -5, returns: [-5] },
      update(12, 3, 5),
      { type: 'evaluation', t: 12, meanReturn: -5, returns: [-5] },
    ]
    const out = await lastValueFrom(
      from(events).pipe(
        logMetrics((r) => records.push(r), { lossEvery: 2 }),
        toArray(),
      ),
    )
    expect(out).toEqual(events)
    expect(records).toEqual([
      { step: 10, episode: 0, 'charts/episodic_return': -12, 'charts/episodic_length': 10 },
      { step: 12, learner_step: 2, updates: 2, 'losses/critic': 2, 'values/target': 1 },
      { step: 12, 'eval/mean_return': -5, 'eval/returns': [-5] },
      { step: 13, learner_step: 3, updates: 1, 'losses/critic': 5, 'values/target': 1 }, // flushed at completion
    ])
  })
})

describe('logMetrics (marbles)', () => {
  it('passes events on at their time and unsubscribes early', () => {
    const records: MetricsRecord[] = []
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ hot, expectObservable, expectSubscriptions }) => {
      const events = hot<ExperimentEvent>('-a-b-c-|', { a: episode(1, -1), b: episode(3, -2), c: episode(5, -3) })
      expectObservable(events.pipe(logMetrics((r) => records.push(r))), '^--!').toBe('-a-', { a: episode(1, -1) })
      expectSubscriptions(events.subscriptions).toBe('^--!')
    })
    expect(records.map((r) => r.step)).toEqual([2])
  })
})

describe('checkpoint', () => {
  it('passes events through at once, writes snapshots one after the other, frees them, then completes', async () => {
    const source = new Subject<ExperimentEvent>()
    const started: number[] = []
    const release: Array<() => void> = []
    const seen: (ExperimentEvent | SavedEvent)[] = []
    let completed = false
    source
      .pipe(
        checkpoint(
          (s) =>
            new Promise<void>((resolve) => {
              started.push(s.t)
              release.push(resolve)
            }),
        ),
      )
      .subscribe({ next: (e) => seen.push(e), complete: () => (completed = true) })
    const [a, b] = [snapshot(50), snapshot(100)]
    source.next({ type: 'checkpoint', t: 50, snapshot: a })
    source.next(episode(60, -1))
    source.next({ type: 'final', t: 100, snapshot: b })
    source.complete()
    expect(seen.map((e) => e.type)).toEqual(['checkpoint', 'episode', 'final'])
    expect(started).toEqual([50]) // the second write waits for the first
    release[0]?.()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(disposed(a)).toBe(true)
    expect(started).toEqual([50, 100])
    expect(completed).toBe(false) // a write is still going on
    release[1]?.()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(disposed(b)).toBe(true)
    expect(seen.filter((e) => e.type === 'saved')).toEqual([
      { type: 'saved', of: 'checkpoint', t: 50, episode: 0 },
      { type: 'saved', of: 'final', t: 100, episode: 0 },
    ])
    expect(completed).toBe(true)
  })

  it('delivers a run error after the queued writes, and a failed write ends the stream freeing what was queued', async () => {
    const failing = new Subject<ExperimentEvent>()
    const order: string[] = []
    const c = snapshot(10)
    failing.pipe(checkpoint(async () => void order.push('written'))).subscribe({ error: () => order.push('error') })
    failing.next({ type: 'checkpoint', t: 10, snapshot: c })
    failing.error(new Error('NaN'))
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(order).toEqual(['written', 'error'])

    const source = new Subject<ExperimentEvent>()
    let failure: unknown
    const [d, e] = [snapshot(20), snapshot(30)]
    source.pipe(checkpoint(() => Promise.reject(new Error('disk full')))).subscribe({ error: (x) => (failure = x) })
    source.next({ type: 'checkpoint', t: 20, snapshot: d })
    source.next({ type: 'checkpoint', t: 30, snapshot: e })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(String(failure)).toMatch(/disk full/)
    expect(disposed(d) && disposed(e)).toBe(true)
    expect(source.observed).toBe(false) // the run was unsubscribed
  })

  it('frees queued snapshots when unsubscribed', () => {
    const source = new Subject<ExperimentEvent>()
    const subscription = source.pipe(checkpoint(() => new Promise(() => {}))).subscribe()
    const [f, g] = [snapshot(1), snapshot(2)]
    source.next({ type: 'checkpoint', t: 1, snapshot: f })
    source.next({ type: 'checkpoint', t: 2, snapshot: g })
    subscription.unsubscribe()
    expect(disposed(g)).toBe(true) // queued, dropped
    disposeTrainState(f.train) // the write in progress owns f; this test's never-ending write does not free it
    expect(source.observed).toBe(false)
  })
})
