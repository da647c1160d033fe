// What the benches need to run the PyTorch reference fairly and to say which machine they ran on. Shared by
// packages/agents/bench/td3.bench.ts (the TD3 update) and packages/pipelines/bench/td3loop.bench.ts (the whole loop).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'

/**
 * Environment variables this workplace's machines set for old OpenBLAS builds. `OPENBLAS_CORETYPE=Haswell` pins
 * OpenBLAS to its AVX2 kernels on CPUs with AVX-512, so the reference would run below its best: they are removed for
 * the reference processes only (never for polyak, tests or CI).
 */
export const HANDICAPS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE']

/** The first Python that imports torch: $PYTHON, then `python3` on the PATH, then Debian's (python3-torch). */
export const findTorch = () => {
  for (const python of [process.env.PYTHON, 'python3', '/usr/bin/python3']) {
    if (python === undefined || python === '') continue
    try {
      const version = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        env: referenceEnv(0),
      }).trim()
      return { python, version }
    } catch {}
  }
  return undefined
}

/**
 * The environment of a reference process: this one's without {@link HANDICAPS}; with `threads` > 0, torch, OpenMP
 * and OpenBLAS pinned to that many threads (torch.set_num_threads does not reach OpenBLAS' own pool); 0 leaves the
 * libraries' defaults.
 */
export const referenceEnv = (threads) => {
  const env = { ...process.env }
  for (const name of HANDICAPS) delete env[name]
  if (threads > 0) {
    env.OPENBLAS_NUM_THREADS = String(threads)
    env.OMP_NUM_THREADS = String(threads)
  }
  return env
}

const VECTOR_FLAGS = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512vl', 'avx512bw', 'avx512_vnni', 'avx512_bf16']

/**
 * What /proc/cpuinfo says of the first CPU: vendor, family and model numbers (which tell CPU generations apart where
 * the model name does not: a virtual machine may call both a Zen 4 and a Zen 5 part just "AMD EPYC"), and its flags.
 */
export const parseCpuinfo = (text) => {
  const first = text.split(/\n\s*\n/)[0] ?? ''
  const field = (name) =>
    first
      .split('\n')
      .find((l) => l.split(':')[0]?.trim() === name)
      ?.split(':')
      .slice(1)
      .join(':')
      .trim()
  const number = (name) => {
    const value = Number(field(name))
    return Number.isInteger(value) ? value : undefined
  }
  return {
    vendor: field('vendor_id'),
    family: number('cpu family'),
    model: number('model'),
    flags: (field('flags') ?? '').split(/\s+/).filter((f) => f !== ''),
  }
}

/**
 * The CPU: model name, vendor, family and model numbers, logical cores, and the vector extensions that matter to
 * matrix products.
 */
export const cpuDescription = () => {
  let info = { vendor: undefined, family: undefined, model: undefined, flags: [] }
  try {
    info = parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'))
  } catch {}
  return {
    model: os.cpus()[0]?.model ?? 'unknown',
    vendor: info.vendor ?? 'unknown',
    family: info.family ?? null,
    modelNumber: info.model ?? null,
    cores: os.cpus().length,
    vectorExtensions: VECTOR_FLAGS.filter((f) => info.flags.includes(f)),
  }
}

/**
 * Why a reference process ran below its best, from what it reports of its BLAS (`threadpools`: threadpoolctl's
 * pools, or a sentence when threadpoolctl is missing; `blas`: where libblas.so.3 points): undefined when it used
 * OpenBLAS. Debian's python3-torch does its products through whichever libblas.so.3 the system links, and on a
 * machine without libopenblas0 that is the reference (netlib) BLAS, about twenty times slower: ratios against it say
 * nothing, so the benches print this and keep it in their JSON.
 */
export const referenceBlasProblem = (result) => {
  const pools = Array.isArray(result.threadpools) ? result.threadpools : []
  if (pools.some((pool) => pool?.internal_api === 'openblas')) return undefined
  const blas = Array.isArray(result.blas) ? result.blas : []
  if (pools.length === 0 && blas.some((path) => String(path).includes('openblas'))) return undefined
  return (
    `the reference's BLAS is not OpenBLAS (${blas.join(', ') || 'no libblas.so.3 found'}): PyTorch runs far below ` +
    'its best and the ratios say nothing (Debian: apt-get install libopenblas0-pthread python3-threadpoolctl)'
  )
}

/**
 * {@link referenceBlasProblem} of a reference result, added to `problems` (once each) and printed as a warning on
 * standard error.
 */
export const noteReferenceProblem = (result, problems) => {
  const problem = referenceBlasProblem(result)
  if (problem === undefined || problems.includes(problem)) return
  problems.push(problem)
  console.error(`warning: ${problem}`)
}

/** The result with the highest `key` among those whose implementation starts with `prefix`. */
export const best = (results, prefix, key) =>
  results.filter((r) => String(r.implementation).startsWith(prefix)).sort((a, b) => b[key] - a[key])[0]

/** The median of numbers (the mean of the middle two for an even count); NaN for none. */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Each case (rows with the same `caseOf`) by its best round: the row with the highest `key`, with every round's
 * `key` beside it as `rounds` and their median as `median`. Rounds that alternate ours and the reference, each
 * reported by its best, keep a slow stretch of a shared machine from deciding a ratio; the medians give a second
 * ratio that one lucky round cannot move.
 */
export const bestOfRounds = (rows, key, caseOf) => {
  const cases = [...new Set(rows.map(caseOf))]
  return cases.map((c) => {
    const all = rows.filter((r) => caseOf(r) === c)
    const fastest = all.reduce((a, b) => (b[key] > a[key] ? b : a))
    const rounds = all.map((r) => r[key])
    return { ...fastest, rounds, median: Number(median(rounds).toFixed(2)) }
  })
}

/**
 * `ours[key]` over the best of the `results` whose implementation starts with `prefix` (by the same key), as
 * `{ name: 'ours / reference', ratio }` rounded to 3 decimals; undefined when there is no reference.
 */
export const ratioToBest = (ours, results, prefix, key) => {
  const reference = best(results, prefix, key)
  if (reference === undefined) return undefined
  return {
    name: `${ours.implementation} / ${reference.implementation}`,
    ratio: Number((ours[key] / reference[key]).toFixed(3)),
  }
}

/**
 * The share of the native pool's split products that the calling thread computed alone (no worker came: the other
 * cores were busy) between two `nativeHandOffs()` readings, rounded to 3 decimals; undefined when either reading is
 * missing or nothing was split (one thread, or the wasm backend). A round with a high share ran on fewer cores than
 * it asked for.
 */
export const unhelpedShare = (before, after) => {
  if (before === undefined || after === undefined) return undefined
  const split = after.split - before.split
  if (!(split > 0)) return undefined
  return Number(((after.unhelped - before.unhelped) / split).toFixed(3))
}

/** The progress-line words for an `unhelpedShare` (`, 2.1% of split products unhelped`); empty when undefined. */
export const unhelpedNote = (share) =>
  share === undefined ? '' : `, ${(share * 100).toFixed(1)}% of split products unhelped`

/**
 * The update bench's warm-up rule, the same for both sides: untimed updates go on while fewer than `minUpdates` ran
 * or fewer than `minSeconds` passed, or while the process has run fewer than `updates` on this implementation and
 * `capSeconds` have not passed. `done` counts the updates this process ran before this case (ours keeps its compiled
 * code from case to case; each PyTorch process starts at 0).
 */
export const stillWarming = ({ done, updates, seconds }, rule) =>
  updates < rule.minUpdates || seconds < rule.minSeconds || (done + updates < rule.updates && seconds < rule.capSeconds)

/**
 * Sets a backend for a round of a bench: true when it loaded; when it did not, its reason goes into `skipped` (on
 * the first round only) and the round passes it by.
 */
export const backendForRound = async (setBackend, backend, round, skipped) => {
  try {
    await setBackend(backend)
    return true
  } catch (error) {
    if (round === 1)
      skipped.push(`${backend}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
    return false
  }
}
