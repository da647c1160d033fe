// The benches' shared helpers. Run with `node --test scripts/bench/reference.test.mjs` (npm test does).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  backendForRound,
  best,
  bestOfRounds,
  median,
  noteReferenceProblem,
  parseCpuinfo,
  ratioToBest,
  referenceBlasProblem,
  stillWarming,
  unhelpedNote,
  unhelpedShare,
} from './reference.mjs'

test('bestOfRounds keeps each case by its best round, every round beside it, cases in first-seen order', () => {
  const rows = [
    { implementation: 'ours', size: 'a', round: 1, rate: 10 },
    { implementation: 'ref', size: 'a', round: 1, rate: 12 },
    { implementation: 'ours', size: 'a', round: 2, rate: 14 },
    { implementation: 'ref', size: 'a', round: 2, rate: 9 },
    { implementation: 'ours', size: 'b', round: 1, rate: 3 },
  ]
  const out = bestOfRounds(rows, 'rate', (r) => `${r.implementation} ${r.size}`)
  assert.deepEqual(
    out.map((r) => [r.implementation, r.size, r.round, r.rate, r.rounds, r.median]),
    [
      ['ours', 'a', 2, 14, [10, 14], 12],
      ['ref', 'a', 1, 12, [12, 9], 10.5],
      ['ours', 'b', 1, 3, [3], 3],
    ],
  )
  assert.equal(best(out, 'ref', 'rate')?.rate, 12)
})

test('ratioToBest: ours over the best reference by the same key, named; undefined without a reference', () => {
  const rows = [
    { implementation: 'ours', rate: 30, median: 20 },
    { implementation: 'ref/1', rate: 12, median: 10 },
    { implementation: 'ref/2', rate: 15, median: 8 },
  ]
  assert.deepEqual(ratioToBest(rows[0], rows, 'ref/', 'rate'), { name: 'ours / ref/2', ratio: 2 })
  assert.deepEqual(ratioToBest(rows[0], rows, 'ref/', 'median'), { name: 'ours / ref/1', ratio: 2 })
  assert.equal(ratioToBest(rows[0], rows, 'other/', 'rate'), undefined)
})

test('median: the middle value, or the mean of the middle two; NaN for none', () => {
  assert.equal(median([5, 1, 3]), 3)
  assert.equal(median([4, 1, 3, 2]), 2.5)
  assert.ok(Number.isNaN(median([])))
})

test('backendForRound says whether the backend loaded and records why not on the first round only', async () => {
  const skipped = []
  const load = async (name) => {
    if (name === 'missing') throw new Error('not installed\nsecond line')
  }
  assert.equal(await backendForRound(load, 'native', 1, skipped), true)
  assert.equal(await backendForRound(load, 'missing', 1, skipped), false)
  assert.equal(await backendForRound(load, 'missing', 2, skipped), false)
  assert.deepEqual(skipped, ['missing: not installed'])
})

test('referenceBlasProblem: none for OpenBLAS (by threadpoolctl, or by the library path without it), else why', () => {
  const openblas = { internal_api: 'openblas', version: '0.3.21', architecture: 'Cooperlake', num_threads: 2 }
  const openmp = { internal_api: 'openmp', version: null, architecture: null, num_threads: 2 }
  const netlib = ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3']
  const pthread = ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3']
  assert.equal(referenceBlasProblem({ threadpools: [openmp, openblas], blas: netlib }), undefined)
  assert.equal(referenceBlasProblem({ threadpools: 'threadpoolctl not installed', blas: pthread }), undefined)
  // threadpoolctl saw the pools and OpenBLAS is not among them: the library path does not overrule it
  assert.match(referenceBlasProblem({ threadpools: [openmp], blas: pthread }) ?? '', /not OpenBLAS/)
  assert.match(
    referenceBlasProblem({ threadpools: 'threadpoolctl not installed', blas: netlib }) ?? '',
    /blas\/libblas/,
  )
  assert.match(referenceBlasProblem({}) ?? '', /no libblas.so.3 found/)
})

test('parseCpuinfo: the first CPU’s vendor, family and model numbers and flags (Zen 4 and Zen 5 share a name)', () => {
  const cpu = (n, family) =>
    `processor\t: ${n}\nvendor_id\t: AuthenticAMD\ncpu family\t: ${family}\nmodel\t\t: 2\n` +
    'model name\t: AMD EPYC\nflags\t\t: fpu avx2 avx512f avx512vl\n'
  assert.deepEqual(parseCpuinfo(`${cpu(0, 26)}\n${cpu(1, 25)}`), {
    vendor: 'AuthenticAMD',
    family: 26,
    model: 2,
    flags: ['fpu', 'avx2', 'avx512f', 'avx512vl'],
  })
  assert.deepEqual(parseCpuinfo(''), { vendor: undefined, family: undefined, model: undefined, flags: [] })
})

test('noteReferenceProblem records each problem once (and warns), nothing for OpenBLAS', () => {
  const problems = []
  const netlib = { threadpools: [], blas: ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3'] }
  noteReferenceProblem(netlib, problems)
  noteReferenceProblem(netlib, problems)
  noteReferenceProblem({ threadpools: [{ internal_api: 'openblas' }] }, problems)
  assert.equal(problems.length, 1)
  assert.match(problems[0], /not OpenBLAS/)
})

test('unhelpedShare: the unhelped share of the products split between two readings; undefined without a split', () => {
  assert.equal(unhelpedShare({ split: 10, unhelped: 1 }, { split: 210, unhelped: 5 }), 0.02)
  assert.equal(unhelpedShare({ split: 0, unhelped: 0 }, { split: 3, unhelped: 3 }), 1)
  assert.equal(unhelpedShare({ split: 7, unhelped: 2 }, { split: 7, unhelped: 2 }), undefined)
  assert.equal(unhelpedShare(undefined, { split: 7, unhelped: 2 }), undefined)
  assert.equal(unhelpedShare({ split: 7, unhelped: 2 }, undefined), undefined)
})

test('unhelpedNote: the share as a percentage for a progress line, nothing without one', () => {
  assert.equal(unhelpedNote(0.021), ', 2.1% of split products unhelped')
  assert.equal(unhelpedNote(0), ', 0.0% of split products unhelped')
  assert.equal(unhelpedNote(undefined), '')
})

test('stillWarming: until enough updates ran in the process (within a cap), and never below the minimums', () => {
  const rule = { minUpdates: 4, minSeconds: 2, updates: 2000, capSeconds: 20 }
  // a fresh process warms to 2 000 updates even after the minimum seconds
  assert.equal(stillWarming({ done: 0, updates: 1999, seconds: 9 }, rule), true)
  assert.equal(stillWarming({ done: 0, updates: 2000, seconds: 9 }, rule), false)
  // updates run by earlier cases of the same process count: then the minimum seconds alone
  assert.equal(stillWarming({ done: 5000, updates: 10, seconds: 1.9 }, rule), true)
  assert.equal(stillWarming({ done: 5000, updates: 10, seconds: 2 }, rule), false)
  // a slow implementation stops at the cap
  assert.equal(stillWarming({ done: 0, updates: 30, seconds: 19.9 }, rule), true)
  assert.equal(stillWarming({ done: 0, updates: 30, seconds: 20 }, rule), false)
  // never fewer than the minimum updates, however long they take
  assert.equal(stillWarming({ done: 5000, updates: 3, seconds: 60 }, rule), true)
})
