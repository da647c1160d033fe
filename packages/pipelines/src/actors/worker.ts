/**
 * The entry script of one worker-thread actor (started by `workerActors`; not meant to be imported). It makes its
 * own tfjs backend, networks (any architecture: MLP, Parkour, pixels) and env, acts with the latest actor
 * parameters the main thread sent (rebuilt as tensors here), explores with its own key, and posts its steps in
 * chunks. At most `maxInFlight` chunks wait for the main thread's acknowledgement, so a slow learner slows the actors
 * instead of queueing transitions without bound. An error (in the env, the setup modules, …) is thrown out of the
 * worker, which ends it; the main thread restarts the slot.
 *
 * @module actors/worker
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads'
import { Rng } from '@polyak/core'
import { actorParams, startActing } from './acting.js'
import { columnBuffers, encodeSteps } from './chunkCodec.js'
import type { ActorStepsMessage, ActorWorkerData, ToActorMessage } from './protocol.js'

/** Acts until the thread is terminated (or the rollout throws). */
const actInWorker = async (port: MessagePort, data: ActorWorkerData): Promise<never> => {
  /** The newest parameters received, made into tensors when the policy next needs them (after the backend is set). */
  const params = actorParams()
  let version = -1
  let inFlight = 0
  let wake: (() => void) | undefined
  port.on('message', (message: ToActorMessage) => {
    if (message.type === 'params') {
      params.offer(message)
      version = message.version
    } else {
      inFlight -= 1
    }
    const resume = wake
    wake = undefined
    resume?.()
  })

  const acting = await startActing({ ...data, exploreKey: Rng.deserialize(data.exploreKey) }, params)
  const { observationSize, actionSize } = data.networks.spec
  for (;;) {
    while (inFlight >= data.maxInFlight) await new Promise<void>((resolve) => (wake = resolve))
    const actedWith = version // messages are only handled between chunks, so one version per chunk
    const steps = acting.act(data.chunkSteps, data.chunkMs)
    if (steps.length > 0) {
      const message: ActorStepsMessage = {
        type: 'steps',
        actor: data.actor,
        incarnation: data.incarnation,
        paramsVersion: actedWith,
        ...encodeSteps(steps, observationSize, actionSize),
      }
      port.postMessage(message, columnBuffers(message))
      inFlight += 1
    }
    acting.throwIfFailed()
    await new Promise((resolve) => setImmediate(resolve))
  }
}

if (parentPort === null) throw new Error('actors/worker: must run in a worker thread (started by workerActors)')
await actInWorker(parentPort, workerData as ActorWorkerData)
