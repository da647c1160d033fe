/**
 * The whole TD3 loop on Pendulum-v1 (issue 6): env step + exploration + replay insert + one learner step per env
 * step, `runExperiment` with CleanRL's defaults (256-256 networks, batch 256, Adam 3e-4, exploration noise 0.1,
 * policy delay 2), against CleanRL's `td3_continuous_action.py` loop in PyTorch (`bench/td3_loop_torch.py`, same
 * defaults, same Pendulum dynamics) in the same bench run. Both take `BENCH_WARMUP` random steps (default 1000) and
 * are timed over the next `BENCH_LEARNING_STEPS` (default 3000) learning steps, in `BENCH_ROUNDS` rounds (default 3)
 * that alternate ours and CleanRL; each is reported by its best round. Ours runs on every backend that loads
 * (`POLYAK_BACKEND=native,wasm` to choose): the first that loads in every round, the others (a wasm run takes over a
 * minute) in the first round only; PyTorch with one thread (torch and OpenBLAS pinned) and with its defaults in every
 * round. A native round records `unhelpedShare`, the share of the products split across threads that no worker helped
 * with (`nativeHandOffs`). Prints JSON and writes bench-results/td3-loop.json.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { BACKENDS, nativeHandOffs, nativeThreads, setBackend } from '@polyak/core'
import {
  backendForRound,
  bestOfRounds,
  cpuDescription,
  findTorch,
  HANDICAPS,
  noteReferenceProblem,
  ratioToBest,
  referenceEnv,
  unhelpedNote,
  unhelpedShare,
} from '../../../scripts/bench/reference.mjs'
import { disposeExperimentSnapshot, runExperiment } from '../src/index.js'

const warmupSteps = Number(process.env.BENCH_WARMUP ?? 1000)
const learningSteps = Number(process.env.BENCH_LEARNING_STEPS ?? 3000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)

const measureOurs = async () => {
  let learningStart: number | undefined
  let learningStartT = 0
  let end = 0
  let endT = 0
  const returns: number[] = []
  let handOffsAtStart: ReturnType<typeof nativeHandOffs>
  let handOffsAtEnd: ReturnType<typeof nativeHandOffs>
  await new Promise<void>((resolve, reject) => {
    runExperiment({
      algo: 'td3',
      env: 'Pendulum-v1',
      steps: warmupSteps + learningSteps,
      seed: 1,
      warmupSteps,
      batchSize: 256,
      agent: { hiddenSizes: [256, 256] },
      evalEpisodes: 0,
    }).subscribe({
      next: (event) => {
        if (event.type === 'update' && learningStart === undefined) {
          learningStart = performance.now()
          learningStartT = event.t
          handOffsAtStart = nativeHandOffs()
        }
        if (event.type === 'episode') returns.push(event.return)
        if (event.type === 'final') {
          end = performance.now()
          endT = event.t
          handOffsAtEnd = nativeHandOffs()
          disposeExperimentSnapshot(event.snapshot)
        }
      },
      error: reject,
      complete: resolve,
    })
  })
  const seconds = (end - (learningStart ?? end)) / 1000
  const steps = endT - learningStartT
  const unhelped = unhelpedShare(handOffsAtStart, handOffsAtEnd)
  return {
    learningSteps: steps,
    seconds: Number(seconds.toFixed(3)),
    stepsPerSecond: Number((steps / seconds).toFixed(2)),
    // the share of split products no worker helped with (the other core was busy); absent when nothing was split
    ...(unhelped === undefined ? {} : { unhelpedShare: unhelped }),
    episodes: returns.length,
    lastReturns: returns.slice(-3).map((r) => Number(r.toFixed(1))),
  }
}

const torchScript = fileURLToPath(new URL('./td3_loop_torch.py', import.meta.url))

const measureTorch = (python: string, threads: number) => {
  const args = [torchScript, '--steps', String(warmupSteps + learningSteps), '--learning-starts', String(warmupSteps)]
  args.push('--threads', String(threads))
  const env = referenceEnv(threads)
  const out = execFileSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env })
  return JSON.parse(out.trim().split('\n').at(-1) as string) as { stepsPerSecond: number } & Record<string, unknown>
}

type Row = Record<string, unknown> & { implementation: string; stepsPerSecond: number }
const measured: Row[] = []
const skipped: string[] = []
/** Why the reference ran below its best (a BLAS other than OpenBLAS): its ratios then say nothing. */
const referenceProblems: string[] = []
const backends = (process.env.POLYAK_BACKEND?.split(',') ??
  BACKENDS.filter((b) => b !== 'cpu')) as readonly (typeof BACKENDS)[number][]
const python = process.env.BENCH_TORCH === '0' ? undefined : findTorch()?.python
if (python === undefined)
  skipped.push('pytorch: `python3 -c "import torch"` failed (Debian: apt-get install python3-torch)')
// Rounds alternate ours and CleanRL, and each is reported by its best round: on a shared machine a slow stretch then
// costs both sides alike.
/** The backend timed in every round: the first that loads (the others only in round 1). */
let main: string | undefined
for (let round = 1; round <= rounds; round++) {
  for (const backend of backends) {
    if (round > 1 && backend !== main) continue
    if (!(await backendForRound(setBackend as (name: never) => Promise<unknown>, backend, round, skipped))) continue
    main ??= backend
    const result = await measureOurs()
    measured.push({ implementation: `polyak/${backend}`, round, ...result })
    console.error(
      `round ${round} polyak/${backend.padEnd(18)} ${result.stepsPerSecond} steps/s${unhelpedNote(result.unhelpedShare)}`,
    )
  }
  if (python === undefined) continue
  for (const threads of [1, 0]) {
    const implementation = threads === 1 ? 'cleanrl-pytorch/1-thread' : 'cleanrl-pytorch/default-threads'
    const result = measureTorch(python, threads)
    noteReferenceProblem(result, referenceProblems)
    measured.push({ implementation, round, ...result })
    console.error(`round ${round} ${implementation.padEnd(25)} ${result.stepsPerSecond} steps/s`)
  }
}
/** Each implementation by its best round, with every round's figure beside it (`rounds`). */
const results = bestOfRounds(measured, 'stepsPerSecond', (r) => r.implementation)

const ratios: Record<string, number> = {}
/** ours / the better of CleanRL's 1-thread and default-thread figures: the figure the goal is set on. */
const ratiosToBest: Record<string, number> = {}
/** The same with each side's median round instead of its best: one lucky round cannot move it. */
const ratiosOfMedians: Record<string, number> = {}
for (const ours of results.filter((r) => r.implementation.startsWith('polyak/'))) {
  for (const base of results.filter((r) => r.implementation.startsWith('cleanrl-'))) {
    ratios[`${ours.implementation} / ${base.implementation}`] = Number(
      (ours.stepsPerSecond / base.stepsPerSecond).toFixed(3),
    )
  }
  const toBest = ratioToBest(ours, results, 'cleanrl-', 'stepsPerSecond')
  if (toBest !== undefined) ratiosToBest[toBest.name] = toBest.ratio
  const ofMedians = ratioToBest(ours, results, 'cleanrl-', 'median')
  if (ofMedians !== undefined) ratiosOfMedians[ofMedians.name] = ofMedians.ratio
}

const report = {
  benchmark: 'pipelines/td3-loop',
  description:
    'Whole TD3 loop on Pendulum-v1 (env step + noise + replay insert + one update per step; 256-256, batch 256): ' +
    'learning-phase steps/s of runExperiment vs CleanRL td3_continuous_action.py in PyTorch, same run',
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpuDescription(),
  nativeThreads: nativeThreads(),
  /** Removed from the environment of the CleanRL processes only (see scripts/bench/reference.mjs). */
  referenceUnset: HANDICAPS,
  loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
  warmupSteps,
  learningSteps,
  rounds,
  results,
  /** ours / CleanRL in learning-phase steps per second, measured in this run. */
  ratios,
  ratiosToBest,
  ratiosOfMedians,
  referenceProblems,
  skipped,
}
mkdirSync('bench-results', { recursive: true })
writeFileSync('bench-results/td3-loop.json', `${JSON.stringify(report, null, 2)}\n`)
console.log(JSON.stringify(report, null, 2))
