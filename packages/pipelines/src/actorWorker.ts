/**
 * The entry script of one worker-thread actor (started by {@link workerActors}; not meant to be imported). It makes
 * its own tfjs backend and env, acts with the latest actor parameters the main thread sent (rebuilt as tensors
 * here), explores with its own key, and posts its steps in chunks. At most `maxInFlight` chunks wait for the main
 * thread's acknowledgement, so a slow learner slows the actors instead of queueing transitions without bound.
 * An error (in the env, the setup modules, …) is thrown out of the worker, which ends it; the main thread restarts
 * the slot.
 *
 * @module actorWorker
 */
import { parentPort, workerData } from 'node:worker_threads'
import { makeNetworks } from '@polyak/agents'
import { type Params, Rng, setBackend, tidy } from '@polyak/core'
import { makeEnv } from '@polyak/envs'
import { DDPG_OU_PARAMS, gaussianProcess, type NoiseProcess, ouProcess } from '@polyak/noise'
import * as tf from '@tensorflow/tfjs'
import { Subject } from 'rxjs'
import type { ActorStepsMessage, ActorWorkerData, ToActorMessage } from './actorProtocol.js'
import type { EnvStep } from './EnvStep.js'
import { explore } from './explore.js'
import { rollout } from './rollout.js'

const port = parentPort
if (port === null) throw new Error('actorWorker: must run in a worker thread (started by workerActors)')
const data = workerData as ActorWorkerData

type ParamsMessage = Extract<ToActorMessage, { type: 'params' }>
let params: Params | undefined
/** The newest parameters received, made into tensors when the policy next needs them (after the backend is set). */
let pending: ParamsMessage | undefined
let version = -1
let inFlight = 0
let wake: (() => void) | undefined
port.on('message', (message: ToActorMessage) => {
  if (message.type === 'params') {
    pending = message
    version = message.version
  } else {
    inFlight -= 1
  }
  const resume = wake
  wake = undefined
  resume?.()
})

for (const url of data.setup) await import(url)
await setBackend(data.backend)

const { network } = data
const networks = makeNetworks({ ...network, hiddenSizes: network.hiddenSizes })
const actionSize = network.actionSize
const noiseProcess: NoiseProcess<unknown> = (
  data.noise === 'ou' ? ouProcess({ ...DDPG_OU_PARAMS, sigma: data.sigma }) : gaussianProcess(data.sigma)
) as NoiseProcess<unknown>
const latestParams = (): Params | undefined => {
  if (pending !== undefined) {
    const message = pending
    pending = undefined
    const next: Record<string, tf.Tensor> = {}
    message.names.forEach((name, i) => {
      next[name] = tf.tensor(message.values[i] as Float32Array, message.shapes[i] as number[], 'float32')
    })
    const previous = params
    params = next
    if (previous !== undefined) for (const tensor of Object.values(previous)) tensor.dispose()
  }
  return params
}
const greedy = (observation: Float32Array): Float32Array =>
  latestParams() === undefined
    ? new Float32Array(actionSize)
    : (tidy(() =>
        networks.policy(params as Params, tf.tensor2d(observation, [1, network.observationSize])).dataSync(),
      ) as Float32Array)

const ticks$ = new Subject<number>()
let buffer: EnvStep[] = []
let failure: { readonly error: unknown } | undefined
ticks$
  .pipe(
    rollout({
      makeEnv: () => makeEnv(data.env, data.envOptions),
      policy: (observation, t) => (t < data.warmupSteps ? new Float32Array(actionSize) : greedy(observation)),
      explore: explore({
        process: noiseProcess,
        key: Rng.deserialize(data.exploreKey),
        warmupSteps: data.warmupSteps,
        low: network.low,
        high: network.high,
      }),
      seed: data.envSeed,
    }),
  )
  .subscribe({
    next: (step) => buffer.push(step),
    error: (error: unknown) => {
      failure = { error }
    },
  })

const post = (steps: readonly EnvStep[], paramsVersion: number): void => {
  const o = network.observationSize
  const count = steps.length
  const message: ActorStepsMessage = {
    type: 'steps',
    actor: data.actor,
    incarnation: data.incarnation,
    paramsVersion,
    count,
    observations: new Float32Array(count * o),
    actions: new Float32Array(count * actionSize),
    rewards: new Float64Array(count),
    nextObservations: new Float32Array(count * o),
    flags: new Uint8Array(count),
    episodes: new Int32Array(count),
    ends: [],
  }
  const ends: { index: number; return: number; length: number }[] = []
  steps.forEach((step, i) => {
    const { transition } = step
    message.observations.set(transition.observation, i * o)
    message.actions.set(transition.action, i * actionSize)
    message.nextObservations.set(transition.nextObservation, i * o)
    message.rewards[i] = transition.reward
    message.flags[i] = (transition.terminated ? 1 : 0) | (transition.truncated ? 2 : 0)
    message.episodes[i] = step.episode
    if (step.episodeEnd !== undefined) ends.push({ index: i, ...step.episodeEnd })
  })
  const { observations, actions, rewards, nextObservations, flags, episodes } = message
  const buffers = [observations, actions, rewards, nextObservations, flags, episodes].map(
    (column) => column.buffer as ArrayBuffer,
  )
  port.postMessage({ ...message, ends }, buffers)
}

let t = 0
for (;;) {
  while (inFlight >= data.maxInFlight) await new Promise<void>((resolve) => (wake = resolve))
  const actedWith = version // messages are only handled between chunks, so one version per chunk
  const started = performance.now()
  for (let i = 0; i < data.chunkSteps && failure === undefined; i++) {
    ticks$.next(t)
    t += 1
    if (performance.now() - started > data.chunkMs) break
  }
  if (buffer.length > 0) {
    post(buffer, actedWith)
    buffer = []
    inFlight += 1
  }
  if (failure !== undefined) throw failure.error
  await new Promise((resolve) => setImmediate(resolve))
}
