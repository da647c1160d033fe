/**
 * TD3 learner-step throughput (issue 6): `makeTd3Learner` + `initTrainState` + `disposeReplaced`, exactly as the
 * `learn` operator drives them, on a fixed batch of 256, for
 *   - HalfCheetah-sized networks: actor 17→256→256→6, two critics 23→256→256→1,
 *   - Pendulum-sized networks: actor 3→256→256→1, two critics 4→256→256→1,
 * on every backend that loads. "updates/s" counts learner steps: every step updates both critics, every 2nd step
 * also the actor and the Polyak targets (TD3's policy delay), so the figure averages over that cycle.
 *
 * When `python3 -c "import torch"` works, the same update in PyTorch (bench/td3_torch.py, CleanRL's code) runs in the
 * same bench run, with one thread (torch and OpenBLAS) and with the libraries' default thread counts, with
 * OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from its environment (scripts/bench/reference.mjs), and the JSON holds
 * ours / PyTorch, `ratiosToBest` against the better of its two figures (`ratiosOfMedians`: the same with each side's
 * median round), the OpenBLAS kernels it used and the CPU. Each native round also records `unhelpedShare`: the share of
 * the products split across threads that no worker helped with (`nativeHandOffs`), high when the host took a core.
 * Each case is timed after untimed updates, on both sides by one rule (`warmup` below).
 * `BENCH_ROUNDS` rounds (default 3) alternate ours and PyTorch; each is reported by its best round (every round's
 * figure is kept beside it), so that a slow stretch of a shared machine does not decide a ratio.
 * Prints JSON and writes it to bench-results/agents-td3.json.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import {
  disposeReplaced,
  disposeTrainState,
  initTrainState,
  makeNetworks,
  makeTd3Learner,
  Td3ConfigCodec,
} from '@polyak/agents'
import { BACKENDS, type Batch, decodeOrThrow, nativeHandOffs, nativeThreads, Rng, setBackend } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import {
  backendForRound,
  bestOfRounds,
  cpuDescription,
  findTorch,
  HANDICAPS,
  noteReferenceProblem,
  ratioToBest,
  referenceEnv,
  stillWarming,
  unhelpedNote,
  unhelpedShare,
} from '../../../scripts/bench/reference.mjs'

const batchSize = 256
const secondsPerCase = Number(process.env.BENCH_SECONDS ?? 4)
/**
 * Untimed updates before each timed case, on both sides alike (`stillWarming` in scripts/bench/reference.mjs): at least
 * `BENCH_WARMUP_SECONDS` (default 2), and until the process has run `BENCH_WARMUP_UPDATES` (default 2 000) updates on
 * that implementation, for at most `BENCH_WARMUP_CAP_SECONDS` (default 20). V8 compiles the learner's code over its
 * first ~1 500 to 2 000 steps, on the machine's other core, where the native pool's worker then loses its turn (a
 * cold 2 s round had 11% of its split products unhelped, a warm one 2%; ADR 0021); with 2 s alone the native
 * rounds still rose from round to round (ADR 0022). Each PyTorch process starts from 0 and warms by the same rule.
 */
const warmup = {
  minUpdates: 4,
  minSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 2),
  updates: Number(process.env.BENCH_WARMUP_UPDATES ?? 2000),
  capSeconds: Number(process.env.BENCH_WARMUP_CAP_SECONDS ?? 20),
}
/** Updates this process has run on each backend so far (the code V8 compiled for it stays compiled). */
const ranOn = new Map<string, number>()
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const sizes = [
  { name: 'halfcheetah', observationSize: 17, actionSize: 6 },
  { name: 'pendulum', observationSize: 3, actionSize: 1 },
] as const
type Size = (typeof sizes)[number]

const makeBatch = ({ observationSize, actionSize }: Size): Batch => {
  const [k1, k2, k3, k4] = Rng.split(Rng.key(1), 4)
  return {
    size: batchSize,
    observationSize,
    actionSize,
    observations: Rng.uniformF32(k1, batchSize * observationSize, -1, 1),
    nextObservations: Rng.uniformF32(k2, batchSize * observationSize, -1, 1),
    actions: Rng.uniformF32(k3, batchSize * actionSize, -1, 1),
    rewards: Rng.normalF32(k4, batchSize),
    terminated: new Float32Array(batchSize),
    truncated: new Float32Array(batchSize),
  }
}

const measureOurs = (size: Size, backend: string) => {
  const { observationSize, actionSize } = size
  const config = decodeOrThrow(Td3ConfigCodec, {})
  const networks = makeNetworks({
    observationSize,
    actionSize,
    low: Array(actionSize).fill(-1),
    high: Array(actionSize).fill(1),
    hiddenSizes: config.hiddenSizes,
  })
  const learner = makeTd3Learner(networks, config)
  const batch = makeBatch(size)
  const key = Rng.key(2)
  let state = initTrainState(networks, { critics: 2 }, Rng.key(0))
  const step = () => {
    // the metrics are read (dataSync) inside the update, so each call has finished when it returns
    const next = learner(state, batch, Rng.foldIn(key, state.step)).state
    disposeReplaced(state, next)
    state = next
  }
  const warmStart = performance.now()
  const done = ranOn.get(backend) ?? 0
  let warmed = 0
  while (stillWarming({ done, updates: warmed, seconds: (performance.now() - warmStart) / 1000 }, warmup)) {
    step()
    warmed++
  }
  const tensorsBefore = tf.memory().numTensors
  const handOffsBefore = nativeHandOffs()
  let steps = 0
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  while (performance.now() - start < secondsPerCase * 1000 || steps < 4) {
    step()
    step()
    steps += 2
  }
  const seconds = (performance.now() - start) / 1000
  const cpu = process.cpuUsage(cpuStart)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  const unhelped = unhelpedShare(handOffsBefore, nativeHandOffs())
  const leaked = tf.memory().numTensors - tensorsBefore
  disposeTrainState(state)
  ranOn.set(backend, done + warmed + steps)
  return {
    steps,
    seconds: Number(seconds.toFixed(3)),
    warmupUpdates: warmed,
    updatesPerSecond: Number((steps / seconds).toFixed(2)),
    updatesPerCpuSecond: Number((steps / cpuSeconds).toFixed(2)),
    // the share of split products no worker helped with (the other core was busy); absent when nothing was split
    ...(unhelped === undefined ? {} : { unhelpedShare: unhelped }),
    leaked,
  }
}

const torchScript = fileURLToPath(new URL('./td3_torch.py', import.meta.url))

const measureTorch = (python: string, size: Size, threads: number) => {
  const args = [torchScript, '--obs', String(size.observationSize), '--act', String(size.actionSize)]
  args.push('--batch', String(batchSize), '--seconds', String(secondsPerCase), '--threads', String(threads))
  args.push('--warmup-seconds', String(warmup.minSeconds), '--warmup-updates', String(warmup.updates))
  args.push('--warmup-cap-seconds', String(warmup.capSeconds))
  const env = referenceEnv(threads)
  const out = execFileSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env })
  return JSON.parse(out.trim().split('\n').at(-1) as string) as {
    threads: number
    blas?: string[]
    threadpools?: unknown
    steps: number
    seconds: number
    updatesPerSecond: number
    updatesPerCpuSecond: number
  }
}

type Row = Record<string, unknown> & {
  implementation: string
  size: string
  updatesPerSecond: number
  updatesPerCpuSecond: number
}
const measured: Row[] = []
const skipped: string[] = []
/** Why the reference ran below its best (a BLAS other than OpenBLAS): its ratios then say nothing. */
const referenceProblems: string[] = []
const backends = (process.env.POLYAK_BACKEND?.split(',') ?? BACKENDS) as readonly (typeof BACKENDS)[number][]
const torch = process.env.BENCH_TORCH === '0' ? undefined : findTorch()
if (torch === undefined)
  skipped.push('pytorch: `python3 -c "import torch"` failed (Debian: apt-get install python3-torch)')
// Rounds alternate ours and PyTorch, and each implementation is reported by its best round: on a shared machine
// (other processes, other virtual machines on the host) a slow stretch then costs both sides alike.
for (let round = 1; round <= rounds; round++) {
  for (const backend of backends) {
    if (!(await backendForRound(setBackend as (name: never) => Promise<unknown>, backend, round, skipped))) continue
    for (const size of sizes) {
      const result = measureOurs(size, backend)
      measured.push({ implementation: `polyak/${backend}`, size: size.name, round, ...result })
      console.error(
        `round ${round} polyak/${backend.padEnd(10)} ${size.name.padEnd(12)} ${result.updatesPerSecond} updates/s, ` +
          `${result.updatesPerCpuSecond} per CPU s${unhelpedNote(result.unhelpedShare)}`,
      )
    }
  }
  if (torch === undefined) continue
  for (const size of sizes) {
    for (const threads of [1, 0]) {
      const result = measureTorch(torch.python, size, threads)
      const implementation = threads === 1 ? 'pytorch/1-thread' : 'pytorch/default-threads'
      noteReferenceProblem(result, referenceProblems)
      measured.push({ implementation, size: size.name, round, torch: torch.version, ...result })
      console.error(
        `round ${round} ${implementation.padEnd(17)} ${size.name.padEnd(12)} ${result.updatesPerSecond} updates/s, ` +
          `${result.updatesPerCpuSecond} per CPU s`,
      )
    }
  }
}
/** Each implementation and size by its best round, with every round's figure beside it (`rounds`). */
const results = bestOfRounds(measured, 'updatesPerSecond', (r) => `${r.implementation} ${r.size}`)

const ratios: Record<string, number> = {}
const ratiosCpuTime: Record<string, number> = {}
/** ours / the better of PyTorch's 1-thread and default-thread figures, per size: the figure the goal is set on. */
const ratiosToBest: Record<string, number> = {}
/** The same with each side's median round instead of its best: one lucky round cannot move it. */
const ratiosOfMedians: Record<string, number> = {}
for (const ours of results.filter((r) => String(r.implementation).startsWith('polyak/'))) {
  const sameSize = results.filter((r) => r.size === ours.size)
  for (const base of sameSize.filter((r) => String(r.implementation).startsWith('pytorch/'))) {
    const name = `${ours.size}: ${ours.implementation} / ${base.implementation}`
    ratios[name] = Number((ours.updatesPerSecond / base.updatesPerSecond).toFixed(3))
    ratiosCpuTime[name] = Number((ours.updatesPerCpuSecond / base.updatesPerCpuSecond).toFixed(3))
  }
  const toBest = ratioToBest(ours, sameSize, 'pytorch/', 'updatesPerSecond')
  if (toBest !== undefined) ratiosToBest[`${ours.size}: ${toBest.name}`] = toBest.ratio
  const ofMedians = ratioToBest(ours, sameSize, 'pytorch/', 'median')
  if (ofMedians !== undefined) ratiosOfMedians[`${ours.size}: ${ofMedians.name}`] = ofMedians.ratio
}

const report = {
  benchmark: 'agents/td3-update',
  description:
    'TD3 learner steps/s (makeTd3Learner): two critics every step, actor + Polyak targets every 2nd step, batch 256, ' +
    'Adam 3e-4; halfcheetah: actor 17-256-256-6, critics 23-256-256-1; pendulum: actor 3-256-256-1, critics 4-256-256-1',
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpuDescription(),
  nativeThreads: nativeThreads(),
  /** Removed from the environment of the PyTorch processes only (see scripts/bench/reference.mjs). */
  referenceUnset: HANDICAPS,
  loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
  secondsPerCase,
  warmup,
  rounds,
  results,
  /** ours / PyTorch in updates per wall-clock second, measured in this run. */
  ratios,
  ratiosToBest,
  ratiosOfMedians,
  /** The same in updates per CPU second of each process (user + system): steadier on a shared machine. */
  ratiosCpuTime,
  referenceProblems,
  skipped,
}
mkdirSync('bench-results', { recursive: true })
writeFileSync('bench-results/agents-td3.json', `${JSON.stringify(report, null, 2)}\n`)
console.log(JSON.stringify(report, null, 2))
