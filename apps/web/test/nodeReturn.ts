/**
 * The reference for the browser test: the same actor and env run in Node, on tfjs's `cpu` backend.
 */
import { fileSystemIO } from '@polyak/core'
import { makeEnv } from '@polyak/envs'
import * as tf from '@tensorflow/tfjs'

/**
 * The returns of the episodes of `steps` steps of the actor in `actorDir` on `envId`, the first reset with `seed`
 * and later ones continuing the key stream (the page's rule), with the last unfinished episode's partial return.
 */
export const nodeReturns = async (
  actorDir: string,
  envId: string,
  seed: number,
  steps: number,
): Promise<{ readonly finished: readonly number[]; readonly partial: number }> => {
  const model = await tf.loadLayersModel(fileSystemIO(actorDir))
  const env = makeEnv(envId)
  try {
    let observation = env.reset({ seed }).observation
    const finished: number[] = []
    let episodeReturn = 0
    for (let step = 1; step <= steps; step++) {
      const action = tf.tidy(
        () =>
          (model.predict(tf.tensor2d(observation, [1, observation.length])) as tf.Tensor).dataSync() as Float32Array,
      )
      const result = env.step(action)
      episodeReturn += result.reward
      if (result.terminated || result.truncated) {
        finished.push(episodeReturn)
        episodeReturn = 0
        if (step < steps) observation = env.reset().observation
      } else observation = result.observation
    }
    return { finished, partial: episodeReturn }
  } finally {
    env.close()
    model.dispose()
  }
}
