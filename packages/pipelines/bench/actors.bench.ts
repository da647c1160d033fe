/**
 * Parallel actors: env steps/s of Pendulum-v1 with a cheap policy (an 8-unit actor MLP, Gaussian noise), acting
 * inline (one env in this thread, `rollout`) and with K = 1, 2 worker-thread actors (`workerActors`), with no
 * learner: the actors' throughput alone. Then whole runs (`runExperiment`, TD3 64-64, batch 128, one update per env
 * step) inline and with K = 1, 2 workers, where the learner in this thread sets the pace. Worker start-up (about a
 * second per worker from source) is excluded from the actor figures: timing starts after `WARM` steps arrived.
 * Prints JSON and writes bench-results/actors.json. Mind `cores` in the output: with 2 cores, K = 2 actors plus this
 * thread already oversubscribe the machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { makeNetworks } from '@polyak/agents'
import { Rng, setBackend, tidy } from '@polyak/core'
import { makeEnv } from '@polyak/envs'
import { gaussianProcess } from '@polyak/noise'
import * as tf from '@tensorflow/tfjs-core'
import { filter, lastValueFrom, range, skip, take, tap, toArray } from 'rxjs'
import { disposeExperimentSnapshot, explore, rollout, runExperiment, workerActors } from '../src/index.js'

const backend = await setBackend((process.env.POLYAK_BACKEND ?? 'wasm') as 'wasm')
const steps = Number(process.env.BENCH_STEPS ?? 20_000)
const runSteps = Number(process.env.BENCH_RUN_STEPS ?? 3_000)
const WARM = 2_000
const network = { observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [8] }
const networks = makeNetworks(network)
const params = networks.initActor(Rng.key(0))

const inline = async (): Promise<number> => {
  const policy = (observation: Float32Array) =>
    tidy(() => networks.policy(params, tf.tensor2d(observation, [1, 3])).dataSync()) as Float32Array
  const start = performance.now()
  await lastValueFrom(
    range(0, steps).pipe(
      rollout({
        makeEnv: () => makeEnv('Pendulum-v1'),
        policy,
        explore: explore({ process: gaussianProcess(0.2), key: Rng.key(1), warmupSteps: 0, low: [-2], high: [2] }),
        seed: 1,
      }),
      toArray(),
    ),
  )
  return steps / ((performance.now() - start) / 1000)
}

const workers = async (count: number): Promise<number> => {
  let start = 0
  await lastValueFrom(
    workerActors({
      env: 'Pendulum-v1',
      count,
      seed: 1,
      networks: { spec: network, architecture: { kind: 'mlp' } },
      sigma: 0.2,
      latestParams: () => ({ version: 0, params }),
      backend: backend.name,
    }).pipe(
      skip(WARM),
      tap({
        subscribe: () => undefined,
        next: () => {
          if (start === 0) start = performance.now()
        },
      }),
      take(steps),
      toArray(),
    ),
  )
  return steps / ((performance.now() - start) / 1000)
}

const run = async (actors: { kind: 'inline' } | { kind: 'workers'; count: number }): Promise<number> => {
  const start = performance.now()
  await lastValueFrom(
    runExperiment({
      algo: 'td3',
      env: 'Pendulum-v1',
      steps: runSteps,
      warmupSteps: 500,
      batchSize: 128,
      agent: { hiddenSizes: [64, 64] },
      evalEpisodes: 0,
      actors,
    }).pipe(
      filter((e) => {
        if (e.type === 'final') disposeExperimentSnapshot(e.snapshot)
        return false
      }),
      toArray(),
    ),
  )
  return runSteps / ((performance.now() - start) / 1000)
}

const round = (x: number) => Math.round(x)
const actorsOnly = {
  inline: round(await inline()),
  workers1: round(await workers(1)),
  workers2: round(await workers(2)),
}
console.error(JSON.stringify({ actorsOnly }))
const withLearner = {
  inline: round(await run({ kind: 'inline' })),
  workers1: round(await run({ kind: 'workers', count: 1 })),
  workers2: round(await run({ kind: 'workers', count: 2 })),
}
console.error(JSON.stringify({ withLearner }))
for (const tensor of Object.values(params)) tensor.dispose()

const report = {
  benchmark: 'pipelines/actors',
  description:
    'env steps/s on Pendulum-v1: actors only (8-unit policy, no learner; inline rollout vs K worker actors), and ' +
    'whole TD3 runs (64-64, batch 128, replay ratio 1) inline vs K worker actors, including worker start-up',
  date: new Date().toISOString(),
  backend: backend.name,
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  steps,
  runSteps,
  actorsOnlyStepsPerSecond: actorsOnly,
  runStepsPerSecond: withLearner,
}
mkdirSync('bench-results', { recursive: true })
writeFileSync('bench-results/actors.json', `${JSON.stringify(report, null, 2)}\n`)
console.log(JSON.stringify(report, null, 2))
