import { lastValueFrom, take, toArray } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { timeSlicedTicks } from './timeSlicedTicks.js'

const busy = (ms: number) => {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // a slow synchronous step
  }
}

describe('timeSlicedTicks', () => {
  it('emits start … end − 1 in order and completes', async () => {
    expect(await lastValueFrom(timeSlicedTicks(3, 8).pipe(toArray()))).toEqual([3, 4, 5, 6, 7])
    expect(await lastValueFrom(timeSlicedTicks(5, 5).pipe(toArray()))).toEqual([])
  })

  it('lets timers run between slices even when every step is slow', async () => {
    let timerRuns = 0
    const timer = setInterval(() => {
      timerRuns += 1
    }, 1)
    await new Promise<void>((resolve) =>
      timeSlicedTicks(0, 30, 10).subscribe({ next: () => busy(5), complete: () => resolve() }),
    )
    clearInterval(timer)
    // 30 steps of 5 ms in slices of about 10 ms (about 15 slices): the 1 ms timer ran between them
    expect(timerRuns).toBeGreaterThanOrEqual(5)
  })

  it('stops at once on unsubscribe', async () => {
    expect(await lastValueFrom(timeSlicedTicks(0, 1_000_000).pipe(take(3), toArray()))).toEqual([0, 1, 2])
  })
})
