/**
 * Rng throughput: values per second for the draws the library makes most (uniform, normal, integers), fastest of 5
 * rounds of 1e6 values. Prints JSON and writes bench-results/core-rng.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { Rng } from '@polyak/core'

const n = 1_000_000
const fastest = (draw: () => unknown): number => {
  let best = Number.POSITIVE_INFINITY
  for (let round = 0; round < 5; round++) {
    const start = performance.now()
    draw()
    best = Math.min(best, performance.now() - start)
  }
  return Math.round((n / best) * 1000)
}
const k = Rng.key(0)
const results = {
  benchmark: 'core/rng',
  node: process.version,
  valuesPerSecond: {
    uniform: fastest(() => Rng.uniform(k, n)),
    uniformF32: fastest(() => Rng.uniformF32(k, n)),
    normal: fastest(() => Rng.normal(k, n)),
    integers: fastest(() => Rng.integers(k, n, 1_000_000)),
  },
}
console.log(JSON.stringify(results, null, 2))
mkdirSync('bench-results', { recursive: true })
writeFileSync('bench-results/core-rng.json', `${JSON.stringify(results, null, 2)}\n`)
