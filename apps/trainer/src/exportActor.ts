/**
 * The trained actor as a plain tfjs LayersModel, loadable anywhere tfjs runs (`tf.loadLayersModel`).
 *
 * @module exportActor
 */
import * as fsp from 'node:fs/promises'
import type { NetworkSpec } from '@polyak/agents'
import { fileSystemIO, type Params } from '@polyak/core'
import * as tf from '@tensorflow/tfjs'

/** The kernel diag((high − low)/2) and bias (high + low)/2 of the scaling layer. */
const scalingWeights = (spec: NetworkSpec): [tf.Tensor2D, tf.Tensor1D] => {
  const n = spec.actionSize
  const kernel = new Float32Array(n * n)
  const bias = new Float32Array(n)
  for (let j = 0; j < n; j++) {
    const [low, high] = [spec.low[j] as number, spec.high[j] as number]
    kernel[j * n + j] = (high - low) / 2
    bias[j] = (high + low) / 2
  }
  return [tf.tensor2d(kernel, [n, n]), tf.tensor1d(bias)]
}

/**
 * A `tf.Sequential` that computes the same action as `networks.policy(actor, observations)`: the actor's dense
 * layers (`l{i}/kernel`, `l{i}/bias`; ReLU hidden, tanh output), then a linear dense layer with the diagonal kernel
 * (high − low)/2 and the bias (high + low)/2 that scales the squashed action into the bounds. The weights are
 * copied; the caller owns the model (`model.dispose()`).
 *
 * @throws Error when the parameters do not fit the spec
 *
 * @example
 * ```ts
 * const model = actorModel(state.actor, networks.spec)
 * model.predict(tf.tensor2d([[1, 0, 0]])) // the same action as networks.policy
 * ```
 */
export const actorModel = (actor: Params, spec: NetworkSpec): tf.Sequential => {
  const sizes = [spec.observationSize, ...spec.hiddenSizes, spec.actionSize]
  const layers = sizes.length - 1
  const model = tf.sequential({ name: 'polyak_actor' })
  try {
    for (let i = 0; i < layers; i++) {
      const kernel = actor[`l${i}/kernel`]
      const bias = actor[`l${i}/bias`]
      const [fanIn, fanOut] = [sizes[i] as number, sizes[i + 1] as number]
      if (kernel === undefined || bias === undefined || kernel.shape.join() !== `${fanIn},${fanOut}`) {
        throw new Error(
          `actorModel: the actor has no ${fanIn}×${fanOut} layer l${i} (hidden sizes ${spec.hiddenSizes})`,
        )
      }
      const layer = tf.layers.dense({
        units: fanOut,
        activation: i === layers - 1 ? 'tanh' : 'relu',
        name: `l${i}`,
        ...(i === 0 ? { inputShape: [fanIn] } : {}),
      })
      model.add(layer)
      layer.setWeights([kernel, bias])
    }
    const scale = scalingWeights(spec)
    const output = tf.layers.dense({ units: spec.actionSize, activation: 'linear', name: 'scale_to_bounds' })
    model.add(output)
    output.setWeights(scale)
    tf.dispose(scale)
    return model
  } catch (error) {
    model.dispose()
    throw error
  }
}

/**
 * Saves the actor as a tfjs LayersModel (`model.json` + `weights.bin`) in `dir`, atomically, with the spec in the
 * model's user-defined metadata. Load it with `tf.loadLayersModel(fileSystemIO(dir))` in Node or
 * `tf.loadLayersModel('<url>/model.json')` in a browser.
 *
 * @example
 * ```ts
 * await exportActor('runs/a/actor', snapshot.train.actor, networks.spec, { env: 'Pendulum-v1' })
 * ```
 */
export const exportActor = async (
  dir: string,
  actor: Params,
  spec: NetworkSpec,
  metadata: Readonly<Record<string, unknown>> = {},
): Promise<void> => {
  const model = actorModel(actor, spec)
  try {
    model.setUserDefinedMetadata({
      ...metadata,
      observationSize: spec.observationSize,
      actionSize: spec.actionSize,
      low: [...spec.low],
      high: [...spec.high],
      hiddenSizes: [...spec.hiddenSizes],
    })
    await model.save(fileSystemIO(dir))
  } finally {
    model.dispose()
  }
}

let swaps = 0

/**
 * {@link exportActor} into `dir` atomically for readers: the model is written to a temporary folder beside `dir`,
 * which then replaces `dir` by two renames (the old folder is moved aside, the new one takes its name, the old one
 * is removed). A reader sees the old actor or the new one, never half of one; between the renames, for an instant,
 * `dir` is missing. The trainer calls it at every checkpoint and at the end, so `<run>/actor/` is always the latest.
 *
 * @example
 * ```ts
 * await exportActorAtomically('runs/a/actor', actor, networkSpec, { env: 'Pendulum-v1', steps: 5000 })
 * ```
 */
export const exportActorAtomically = async (
  dir: string,
  actor: Params,
  spec: NetworkSpec,
  metadata: Readonly<Record<string, unknown>> = {},
): Promise<void> => {
  swaps += 1
  const suffix = `${process.pid}-${swaps}`
  const fresh = `${dir}.tmp-${suffix}`
  const old = `${dir}.old-${suffix}`
  await fsp.rm(fresh, { recursive: true, force: true })
  await exportActor(fresh, actor, spec, metadata)
  const hadOld = await fsp.rename(dir, old).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false
      throw error
    },
  )
  await fsp.rename(fresh, dir)
  if (hadOld) await fsp.rm(old, { recursive: true, force: true })
}
