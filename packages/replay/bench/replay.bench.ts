/**
 * Replay benchmark: insert and sample rates (uniform and prioritized, batch 256) for a 1M-row buffer with 17-dim
 * observations and 6-dim actions (HalfCheetah-sized). Prints JSON and writes `bench-results/replay.json`.
 *
 * Run: `npx tsx --conditions=@polyak/source bench/replay.bench.ts`
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { makeTransition, Rng, type Transition } from '@polyak/core'
import {
  add,
  addWithMaxPriority,
  byteLength,
  gather,
  makePrioritizedState,
  makeStorage,
  samplePrioritized,
  size,
  uniformSampler,
  updatePriorities,
} from '../src/index.js'

const capacity = 1_000_000
const observationSize = 17
const actionSize = 6
const batchSize = 256

const pool: Transition[] = Array.from({ length: 1024 }, (_, i) => {
  const u = Rng.normal(Rng.foldIn(Rng.key(0), i), 2 * observationSize + actionSize + 1)
  return makeTransition({
    observation: u.subarray(0, observationSize),
    nextObservation: u.subarray(observationSize, 2 * observationSize),
    action: u.subarray(2 * observationSize, 2 * observationSize + actionSize),
    reward: u[2 * observationSize + actionSize] as number,
    terminated: i % 1000 === 999,
    truncated: false,
  })
})

const rate = (count: number, ms: number): number => Math.round((count / ms) * 1000)

const storage = makeStorage({ capacity, observationSize, actionSize })
const per = makePrioritizedState({ capacity, alpha: 0.6, epsilon: 1e-6 })

let start = performance.now()
for (let i = 0; i < capacity; i++) add(storage, pool[i % pool.length] as Transition)
const insertMs = performance.now() - start

start = performance.now()
for (let i = 0; i < capacity; i++) addWithMaxPriority(per, i)
const perInsertMs = performance.now() - start

// spread the priorities so the prioritized sampler walks a realistic tree
const spread = Rng.normal(Rng.key(1), capacity)
const chunk = 65_536
for (let s = 0; s < capacity; s += chunk) {
  const n = Math.min(chunk, capacity - s)
  updatePriorities(
    per,
    Int32Array.from({ length: n }, (_, k) => s + k),
    Float32Array.from(spread.subarray(s, s + n)),
  )
}

const batches = 2000
const base = Rng.key(2)
start = performance.now()
for (let b = 0; b < batches; b++) gather(storage, uniformSampler(Rng.foldIn(base, b), size(storage), batchSize))
const uniformMs = performance.now() - start

start = performance.now()
for (let b = 0; b < batches; b++) {
  const { indices, weights } = samplePrioritized(per, Rng.foldIn(base, b), batchSize, 0.4)
  const batch = { ...gather(storage, indices), weights }
  updatePriorities(per, indices, batch.rewards)
}
const perMs = performance.now() - start

const results = {
  capacity,
  observationSize,
  actionSize,
  batchSize,
  insertsPerSecond: rate(capacity, insertMs),
  prioritizedInsertsPerSecond: rate(capacity, perInsertMs),
  uniformBatchesPerSecond: rate(batches, uniformMs),
  prioritizedBatchesPerSecond: rate(batches, perMs),
  prioritizedBatchesIncludePriorityUpdate: true,
  storageBytes: byteLength(storage),
  sumTreeBytes: per.tree.tree.byteLength,
  node: process.version,
}

console.log(JSON.stringify(results, null, 2))
const out = path.join(process.cwd(), 'bench-results')
mkdirSync(out, { recursive: true })
writeFileSync(path.join(out, 'replay.json'), `${JSON.stringify(results, null, 2)}\n`)
