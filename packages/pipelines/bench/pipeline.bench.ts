/**
 * Pipeline overhead: `runExperiment` (RxJS operators, chunked ticks) against a plain loop that does the same work
 * with the same functions and keys (so both produce the same episode returns, which the bench checks), side by side
 * in one process, on Pendulum-v1 with TD3. Two network sizes: 64-64 (the learning-test config, where the gradient
 * step dominates) and 8 (tiny, where any per-step overhead of the pipeline shows). Prints JSON and writes
 * bench-results/pipeline.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import {
  disposeReplaced,
  disposeTrainState,
  initTrainState,
  makeNetworks,
  makeTd3Learner,
  Td3ConfigCodec,
} from '@polyak/agents'
import { decodeOrThrow, Rng, setBackend, type Transition } from '@polyak/core'
import { makeEnv } from '@polyak/envs'
import { gaussianNoise } from '@polyak/noise'
import { add, gather, makeStorage, size, uniformSampler } from '@polyak/replay'
import * as tf from '@tensorflow/tfjs-core'
import { filter, lastValueFrom, toArray } from 'rxjs'
import { disposeExperimentSnapshot, episodeSeed, runExperiment } from '../src/index.js'

const backend = await setBackend((process.env.POLYAK_BACKEND ?? 'wasm') as 'wasm')
const steps = Number(process.env.BENCH_STEPS ?? 2000)
const seed = 1
const warmupSteps = 500
const batchSize = 128

const pipeline = async (hiddenSizes: number[]) => {
  const start = performance.now()
  const episodes = await lastValueFrom(
    runExperiment({
      algo: 'td3',
      env: 'Pendulum-v1',
      steps,
      seed,
      warmupSteps,
      batchSize,
      agent: { hiddenSizes },
      evalEpisodes: 0,
    }).pipe(
      filter((e) => {
        if (e.type === 'final') disposeExperimentSnapshot(e.snapshot)
        return e.type === 'episode'
      }),
      toArray(),
    ),
  )
  return {
    seconds: (performance.now() - start) / 1000,
    returns: episodes.map((e) => (e.type === 'episode' ? e.return : 0)),
  }
}

/** The same run as a for loop: the same env, keys, noise, replay and learner calls, no RxJS. */
const plainLoop = (hiddenSizes: number[]) => {
  const start = performance.now()
  const env = makeEnv('Pendulum-v1')
  const low = Array.from(env.actionSpace.low)
  const high = Array.from(env.actionSpace.high)
  const networks = makeNetworks({ observationSize: 3, actionSize: 1, low, high, hiddenSizes })
  const step = makeTd3Learner(networks, decodeOrThrow(Td3ConfigCodec, { hiddenSizes }))
  const [initKey, exploreKey, replayKey, learnKey] = Rng.split(Rng.key(seed), 4)
  const [warmupKey, noiseKey] = Rng.split(exploreKey, 2)
  const sigma = (0.1 * ((high[0] as number) - (low[0] as number))) / 2
  let state = initTrainState(networks, { critics: 2 }, initKey as Rng.Key)
  const storage = makeStorage({ capacity: 1_000_000, observationSize: 3, actionSize: 1 })
  let episode = 0
  let observation = env.reset({ seed: episodeSeed(seed, episode) }).observation
  let episodeReturn = 0
  let batches = 0
  const returns: number[] = []
  for (let t = 0; t < steps; t++) {
    let action: Float32Array
    if (t < warmupSteps) {
      const u = Rng.uniform(Rng.foldIn(warmupKey as Rng.Key, t), 1)
      action = Float32Array.from(u, (x, i) => (low[i] as number) + x * ((high[i] as number) - (low[i] as number)))
    } else {
      const greedy = tf.tidy(() => networks.policy(state.actor, tf.tensor2d(observation, [1, 3])).dataSync())
      const noise = gaussianNoise(Rng.foldIn(noiseKey as Rng.Key, t), 1, sigma)
      action = (greedy as Float32Array).map((a, i) =>
        Math.min(high[i] as number, Math.max(low[i] as number, a + (noise[i] ?? 0))),
      )
    }
    const result = env.step(action)
    const transition: Transition = {
      observation,
      action,
      reward: result.reward,
      nextObservation: result.observation,
      terminated: result.terminated,
      truncated: result.truncated,
    }
    add(storage, transition)
    episodeReturn = Math.fround(episodeReturn + result.reward)
    observation = result.observation
    if (result.terminated || result.truncated) {
      returns.push(episodeReturn)
      episodeReturn = 0
      episode += 1
      observation = env.reset({ seed: episodeSeed(seed, episode) }).observation
    }
    if (t + 1 > warmupSteps) {
      const batch = gather(storage, uniformSampler(Rng.foldIn(replayKey as Rng.Key, batches), size(storage), batchSize))
      batches += 1
      const next = step(state, batch, Rng.foldIn(learnKey as Rng.Key, state.step)).state
      disposeReplaced(state, next)
      state = next
    }
  }
  disposeTrainState(state)
  env.close()
  return { seconds: (performance.now() - start) / 1000, returns }
}

// Each variant runs `ROUNDS` times, alternating (loop, pipeline, loop, pipeline, …) so drifts in machine load hit
// both; the fastest round of each is compared.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const fastest = (runs: readonly { seconds: number; returns: number[] }[]) =>
  runs.reduce((best, run) => (run.seconds < best.seconds ? run : best))
const cases = []
for (const hiddenSizes of [[64, 64], [8]]) {
  const loops: { seconds: number; returns: number[] }[] = []
  const rxs: { seconds: number; returns: number[] }[] = []
  for (let round = 0; round < rounds; round++) {
    loops.push(plainLoop(hiddenSizes))
    rxs.push(await pipeline(hiddenSizes))
  }
  const [loop, rx] = [fastest(loops), fastest(rxs)]
  cases.push({
    hiddenSizes,
    plainLoopStepsPerSecond: Math.round(steps / loop.seconds),
    pipelineStepsPerSecond: Math.round(steps / rx.seconds),
    overhead: Number((rx.seconds / loop.seconds - 1).toFixed(4)),
    sameReturns: [...loops, ...rxs].every((run) => JSON.stringify(run.returns) === JSON.stringify(loop.returns)),
  })
  console.error(JSON.stringify(cases.at(-1)))
}

const report = {
  benchmark: 'pipelines/overhead',
  description: 'runExperiment vs a plain loop doing the same work (TD3, Pendulum-v1, batch 128), same process',
  date: new Date().toISOString(),
  backend: backend.name,
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  steps,
  warmupSteps,
  rounds,
  cases,
}
mkdirSync('bench-results', { recursive: true })
writeFileSync('bench-results/pipeline.json', `${JSON.stringify(report, null, 2)}\n`)
console.log(JSON.stringify(report, null, 2))
