import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type Batch, makeTransition, Rng, type Transition } from '@polyak/core'
import { from, lastValueFrom, map, of, Subject, throwError, toArray } from 'rxjs'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { loadReplay } from './loadReplay.js'
import type { ReplaySnapshot } from './ReplaySnapshot.js'
import type { NStepTransition } from './ReplayStorage.js'
import { type PriorityUpdate, remember } from './remember.js'
import { saveReplay } from './saveReplay.js'

const step = (i: number): Transition =>
  makeTransition({
    observation: [i, -i],
    action: [i / 10],
    reward: i,
    nextObservation: [i + 1, -i - 1],
    terminated: false,
    truncated: false,
  })

const values = Object.fromEntries('abcdefghij'.split('').map((c, i) => [c, step(i)]))

const base = {
  capacity: 100,
  batchSize: 4,
  warmupSteps: 0,
  replayRatio: 1,
  sampler: 'uniform' as const,
  key: Rng.key(0),
}

const countBatches = async (steps: number, warmupSteps: number, replayRatio: number): Promise<number> =>
  (
    await lastValueFrom(
      from(Array.from({ length: steps }, (_, i) => step(i))).pipe(
        remember({ ...base, warmupSteps, replayRatio }),
        toArray(),
      ),
    )
  ).length

describe('remember', () => {
  const scheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b))

  it('stores first, then emits one batch per step once more than warmupSteps are stored (ratio 1)', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('abcde|', values)
      expectObservable(
        source.pipe(
          remember({ ...base, warmupSteps: 2 }),
          map((b) => b.size),
        ),
      ).toBe('--www|', {
        w: 4,
      })
      expectSubscriptions(source.subscriptions).toBe('^----!')
    })
  })

  it('ratio 0.5 emits every second step; ratio 2 emits two batches per step', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const half = cold('abcdef|', values).pipe(
        remember({ ...base, replayRatio: 0.5 }),
        map((b) => b.size),
      )
      expectObservable(half).toBe('-w-w-w|', { w: 4 })
      const double = cold('a-----b-----c-------|', values).pipe(
        remember({ ...base, replayRatio: 2, warmupSteps: 1 }),
        map(() => 'w'),
      )
      expectObservable(double).toBe('------(ww)--(ww)----|')
    })
  })

  it('counts batches: ⌊(steps − warmup) · ratio⌋ for ratios 1, 0.5, 2, 0.25', async () => {
    expect(await countBatches(100, 10, 1)).toBe(90)
    expect(await countBatches(100, 10, 0.5)).toBe(45)
    expect(await countBatches(100, 10, 2)).toBe(180)
    expect(await countBatches(101, 0, 0.25)).toBe(25)
    expect(await countBatches(100, 10, 0.1)).toBe(9)
    expect(await countBatches(5, 10, 1)).toBe(0)
  })

  it('unsubscribes early from the source and from priorityUpdates$', () => {
    scheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-d-e-|', values)
      const updates = cold<PriorityUpdate>('-------------|')
      const result = source.pipe(
        remember(
          { ...base, sampler: { prioritized: { alpha: 0.6, beta0: 0.4, betaSteps: 10, epsilon: 1e-6 } } },
          { priorityUpdates$: updates },
        ),
        map((b) => b.size),
      )
      expectObservable(result, '^----!').toBe('-w-w-', { w: 4 })
      expectSubscriptions(source.subscriptions).toBe('^----!')
      expectSubscriptions(updates.subscriptions).toBe('^----!')
    })
  })

  it('errors when priorityUpdates$ errors, without subscribing the source afterwards', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c|', values)
      const updates = cold<PriorityUpdate>('---#')
      expectObservable(
        source.pipe(
          remember(base, { priorityUpdates$: updates }),
          map((b) => b.size),
        ),
      ).toBe('w-w#', { w: 4 })
      expectSubscriptions(source.subscriptions).toBe('^--!')
      const failing = throwError(() => 'bad update')
      const untouched = cold('a|', values)
      expectObservable(untouched.pipe(remember(base, { priorityUpdates$: failing }))).toBe('#', undefined, 'bad update')
      expectSubscriptions(untouched.subscriptions).toBe([])
    })
  })

  it('propagates source errors and completes when the source completes', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(
        cold('ab#', values).pipe(
          remember(base),
          map((b) => b.size),
        ),
      ).toBe('ww#', { w: 4 })
    })
  })

  it('samples only stored rows, is deterministic in the key, and is cold (fresh storage per subscription)', async () => {
    const run = () =>
      lastValueFrom(
        from([step(0), step(1), step(2)]).pipe(remember({ ...base, batchSize: 64, warmupSteps: 2 }), toArray()),
      )
    const [a, b] = await Promise.all([run(), run()])
    expect(a).toHaveLength(1)
    const batch = a[0] as Batch
    expect(new Set(batch.rewards)).toEqual(new Set([0, 1, 2]))
    expect(Array.from(batch.indices ?? [])).toEqual(Array.from(b[0]?.indices ?? []))
    expect(batch.discounts).toBeUndefined()
    expect(batch.weights).toBeUndefined()
  })

  it('prioritized: batches carry IS weights and follow priorities sent back by the learner', () => {
    const transitions = new Subject<Transition>()
    const updates = new Subject<PriorityUpdate>()
    const batches: Batch[] = []
    const sub = transitions
      .pipe(
        remember(
          {
            ...base,
            batchSize: 32,
            warmupSteps: 3,
            sampler: { prioritized: { alpha: 1, beta0: 0.5, betaSteps: 0, epsilon: 0 } },
          },
          { priorityUpdates$: updates },
        ),
      )
      .subscribe((b) => batches.push(b))
    for (let i = 0; i < 4; i++) transitions.next(step(i))
    expect(batches).toHaveLength(1)
    expect(Array.from(batches[0]?.weights ?? [])).toEqual(new Array(32).fill(1))
    updates.next({ indices: Int32Array.of(0, 1, 2, 3), tdErrors: Float32Array.of(5, 0, 0, 0) })
    transitions.next(step(4)) // gets the max priority 5
    sub.unsubscribe()
    const last = batches[1] as Batch
    expect(new Set(last.indices)).toEqual(new Set([0, 4]))
    expect(Array.from(last.weights ?? [])).toEqual(new Array(32).fill(1))
  })

  it('n-step transitions give batches with discounts', async () => {
    const nStep: NStepTransition = { ...step(1), discount: 0.81 }
    const [batch] = await lastValueFrom(from([nStep]).pipe(remember(base), toArray()))
    expect(Array.from(batch?.discounts ?? [])).toEqual(new Array(4).fill(Math.fround(0.81)))
  })

  it('rejects an invalid config when the operator is made', () => {
    expect(() => remember({ ...base, batchSize: 0 })).toThrow(/batchSize/)
    expect(() => remember({ ...base, replayRatio: -1 })).toThrow(/replayRatio/)
    expect(() =>
      remember({ ...base, sampler: { prioritized: { alpha: 0.6, beta0: 2, betaSteps: 1, epsilon: 0 } } }),
    ).toThrow(/beta0/)
  })
})

describe('remember: snapshots and exact resume', () => {
  const configs = {
    uniform: { ...base, capacity: 16, batchSize: 8, warmupSteps: 3, replayRatio: 0.5 },
    prioritized: {
      ...base,
      capacity: 16,
      batchSize: 8,
      warmupSteps: 3,
      replayRatio: 1.5,
      sampler: { prioritized: { alpha: 0.6, beta0: 0.4, betaSteps: 20, epsilon: 1e-3 } },
    },
  }
  const stream = Array.from({ length: 40 }, (_, i) => step(i))

  /** Feeds `transitions` through `remember`, with a fake learner that sends TD errors back for every batch. */
  const run = (
    config: (typeof configs)[keyof typeof configs],
    transitions: readonly Transition[],
    options: { readonly initial?: ReplaySnapshot; readonly snapshotAt?: number } = {},
  ) => {
    const source = new Subject<Transition>()
    const priorityUpdates$ = new Subject<PriorityUpdate>()
    const snapshotRequests$ = new Subject<(snapshot: ReplaySnapshot | undefined) => void>()
    const batches: Batch[] = []
    let snapshot: ReplaySnapshot | undefined
    const subscription = source
      .pipe(remember(config, { priorityUpdates$, snapshotRequests$, ...options }))
      .subscribe((batch) => {
        batches.push(batch)
        const tdErrors = batch.rewards.map((r, i) => r - 3 * i)
        priorityUpdates$.next({ indices: batch.indices as Int32Array, tdErrors })
      })
    transitions.forEach((transition, i) => {
      if (i === options.snapshotAt)
        snapshotRequests$.next((s) => {
          snapshot = s
        })
      source.next(transition)
    })
    subscription.unsubscribe()
    return { batches, snapshot }
  }

  for (const [name, config] of Object.entries(configs)) {
    it(`${name}: a memory saved mid-run, loaded and resumed emits the uninterrupted run's batches bit for bit`, async () => {
      const whole = run(config, stream, { snapshotAt: 25 })
      const snapshot = whole.snapshot as ReplaySnapshot
      expect(snapshot.stored).toBe(25)
      expect(snapshot.prioritized !== undefined).toBe(name === 'prioritized')
      const root = await mkdtemp(path.join(tmpdir(), 'polyak-remember-'))
      try {
        await saveReplay(root, snapshot, 25)
        const restored = await loadReplay(root)
        const resumed = run(config, stream.slice(25), { initial: restored })
        expect(resumed.batches.length).toBeGreaterThanOrEqual(7)
        expect(resumed.batches).toEqual(whole.batches.slice(snapshot.batches))
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    })
  }

  it('answers a request before the first transition with undefined, and each subscription copies the initial memory', async () => {
    let answer: ReplaySnapshot | undefined | 'none' = 'none'
    const requests = of((s: ReplaySnapshot | undefined) => {
      answer = s
    })
    await lastValueFrom(from([] as Transition[]).pipe(remember(base, { snapshotRequests$: requests }), toArray()))
    expect(answer).toBeUndefined()
    const initial = run(configs.uniform, stream.slice(0, 5), { snapshotAt: 4 }).snapshot as ReplaySnapshot
    const rewards = initial.storage.rewards.slice()
    const first = run(configs.uniform, stream.slice(20), { initial })
    const second = run(configs.uniform, stream.slice(20), { initial })
    expect(second.batches).toEqual(first.batches)
    expect(initial.storage.rewards).toEqual(rewards)
  })

  it('rejects an initial memory that does not fit the config', () => {
    const initial = run(configs.uniform, stream.slice(0, 5), { snapshotAt: 4 }).snapshot as ReplaySnapshot
    expect(() => remember({ ...configs.uniform, capacity: 32 }, { initial })).toThrow(/capacity 16, the config says 32/)
    expect(() => remember(configs.prioritized, { initial })).toThrow(/no priorities/)
    const prioritized = run(configs.prioritized, stream.slice(0, 5), { snapshotAt: 4 }).snapshot as ReplaySnapshot
    const other = {
      ...configs.prioritized,
      sampler: { prioritized: { ...configs.prioritized.sampler.prioritized, alpha: 1 } },
    }
    expect(() => remember(other, { initial: prioritized })).toThrow(/alpha 0.6/)
  })
})
