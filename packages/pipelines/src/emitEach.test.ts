import fc from 'fast-check'
import { concatMap, from, lastValueFrom, take, toArray } from 'rxjs'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import { emitEach } from './emitEach.js'

const scheduler = () => new TestScheduler((a, b) => expect(a).toEqual(b))

describe('emitEach', () => {
  it('emits each projected value in order, none for an empty projection (marbles)', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a 9ms b 9ms c 9ms |', { a: 1, b: 2, c: 3 }) // at 0, 10, 20; complete at 30
      const out = source.pipe(emitEach((n: number) => (n === 2 ? [] : [n, n * 10])))
      expectObservable(out).toBe('(xy) 16ms (zw) 6ms |', { x: 1, y: 10, z: 3, w: 30 })
      expectSubscriptions(source.subscriptions).toBe('^ 29ms !')
    })
  })

  it('an early unsubscribe stops the source and the rest of a projection (marbles)', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c-|', { a: 1, b: 2, c: 3 })
      expectObservable(source.pipe(emitEach((n: number) => [n])), '^--!').toBe('a-b', { a: 1, b: 2 })
      expectSubscriptions(source.subscriptions).toBe('^--!')
    })
    const seen: number[] = []
    from([1])
      .pipe(
        emitEach(() => [1, 2, 3]),
        take(2),
      )
      .subscribe((n) => seen.push(n))
    expect(seen).toEqual([1, 2])
  })

  it('errors when the projection throws, and passes the source’s error on (marbles)', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const boom = new Error('boom')
      const project = (n: number) => {
        if (n === 2) throw boom
        return [n]
      }
      expectObservable(cold('a-b-c|', { a: 1, b: 2, c: 3 }).pipe(emitEach(project))).toBe('a-#', { a: 1 }, boom)
      expectObservable(cold('a-#', { a: 1 }, boom).pipe(emitEach((n: number) => [n]))).toBe('a-#', { a: 1 }, boom)
    })
  })

  it('equals concatMap over arrays (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer(), { maxLength: 4 }), { maxLength: 20 }), async (groups) => {
        const project = (i: number) => groups[i] as number[]
        const indices = groups.map((_, i) => i)
        const a = await lastValueFrom(from(indices).pipe(emitEach(project), toArray()))
        const b = await lastValueFrom(from(indices).pipe(concatMap(project), toArray()))
        expect(a).toEqual(b)
      }),
    )
  })
})
