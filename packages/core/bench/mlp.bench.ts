/**
 * MLP training-step throughput: forward + backward + Adam for a critic-sized 256-256 ReLU network
 * (input 23 = HalfCheetah observation 17 + action 6, output 1), batch 256, on every backend that loads.
 * Each backend runs two variants side by side in this process:
 *   - `polyak`: layers of core's `dense` op (the hand-written, transpose-free gradient), as `applyMlp` of
 *     `@polyak/agents` stacks them,
 *   - `tfjs-ops`: the same network from plain tfjs ops with tfjs' own gradients (`denseReference`, the baseline).
 * The network is a local three-layer stack so that core's benchmark needs only core's ops (docs/adr/0012).
 * Prints JSON and writes it to bench-results/core-mlp.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import {
  adamUpdate,
  BACKENDS,
  dense,
  denseReference,
  disposeAdam,
  disposeParams,
  initAdam,
  type Params,
  Rng,
  setBackend,
  tidy,
  valueAndGradsOf,
} from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'

const sizes = [23, 256, 256, 1] as const
const spec = { inputSize: sizes[0] }
const batchSize = 256
const secondsPerCase = Number(process.env.BENCH_SECONDS ?? 4)

/** `l<i>/kernel` and `l<i>/bias` drawn from U(±1/√fan_in), as `initMlp`'s default. */
const initParams = (key: Rng.Key): Params => {
  const keys = Rng.split(key, 2 * (sizes.length - 1))
  const params: Record<string, tf.Tensor> = {}
  for (let i = 0; i < sizes.length - 1; i++) {
    const [fanIn, fanOut] = [sizes[i] as number, sizes[i + 1] as number]
    const bound = 1 / Math.sqrt(fanIn)
    params[`l${i}/kernel`] = tf.tensor2d(Rng.uniformF32(keys[2 * i] as Rng.Key, fanIn * fanOut, -bound, bound), [
      fanIn,
      fanOut,
    ])
    params[`l${i}/bias`] = tf.tensor1d(Rng.uniformF32(keys[2 * i + 1] as Rng.Key, fanOut, -bound, bound))
  }
  return params
}

/** ReLU hidden layers and a linear output, every layer `layer`. */
const mlp =
  (layer: typeof dense) =>
  (params: Params, input: tf.Tensor2D): tf.Tensor2D => {
    let x = input
    for (let i = 0; i < sizes.length - 1; i++) {
      const activation = i === sizes.length - 2 ? 'linear' : 'relu'
      x = layer(x, params[`l${i}/kernel`] as tf.Tensor2D, params[`l${i}/bias`] as tf.Tensor1D, activation)
    }
    return x
  }

const variants = { polyak: mlp(dense), 'tfjs-ops': mlp(denseReference) } as const

const measure = (forward: (params: Params, x: tf.Tensor2D) => tf.Tensor2D) => {
  let params = initParams(Rng.key(0))
  let state = initAdam(params)
  const adam = adamUpdate({ learningRate: 3e-4 })
  const x = tf.tensor2d(Rng.uniformF32(Rng.key(1), batchSize * spec.inputSize, -1, 1), [batchSize, spec.inputSize])
  const y = tf.tensor2d(Rng.normalF32(Rng.key(2), batchSize), [batchSize, 1])
  const loss = (p: Params) => tf.mean(tf.square(tf.sub(forward(p, x), y))) as tf.Scalar
  const step = () => {
    const next = tidy(() => adam(params, valueAndGradsOf(loss, params).grads, state))
    disposeParams(params)
    disposeAdam(state)
    params = next.params
    state = next.state
    params['l0/bias']?.dataSync() // wait for the step to finish
  }
  for (let i = 0; i < 3; i++) step()
  const tensorsBefore = tf.memory().numTensors
  let steps = 0
  const start = performance.now()
  while (performance.now() - start < secondsPerCase * 1000 || steps < 3) {
    step()
    steps++
  }
  const seconds = (performance.now() - start) / 1000
  const leaked = tf.memory().numTensors - tensorsBefore
  disposeParams(params)
  disposeAdam(state)
  tf.dispose([x, y])
  return { steps, seconds: Number(seconds.toFixed(3)), stepsPerSecond: Number((steps / seconds).toFixed(2)), leaked }
}

const results: Array<Record<string, unknown>> = []
const skipped: string[] = []
for (const backend of BACKENDS) {
  try {
    await setBackend(backend)
  } catch (error) {
    skipped.push(`${backend}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
    continue
  }
  for (const [variant, forward] of Object.entries(variants)) {
    const result = measure(forward)
    results.push({ backend, variant, ...result })
    console.error(`${backend.padEnd(10)} ${variant.padEnd(9)} ${String(result.stepsPerSecond).padStart(8)} steps/s`)
  }
}

const ratios = Object.fromEntries(
  BACKENDS.flatMap((backend) => {
    const ours = results.find((r) => r.backend === backend && r.variant === 'polyak')
    const base = results.find((r) => r.backend === backend && r.variant === 'tfjs-ops')
    return ours && base
      ? [
          [
            `${backend}: polyak / tfjs-ops`,
            Number(((ours.stepsPerSecond as number) / (base.stepsPerSecond as number)).toFixed(2)),
          ],
        ]
      : []
  }),
)

const report = {
  benchmark: 'core/mlp-train-step',
  description: 'forward + backward + Adam, MLP 23-256-256-1 ReLU, batch 256',
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  secondsPerCase,
  results,
  ratios,
  skipped,
}
mkdirSync('bench-results', { recursive: true })
writeFileSync('bench-results/core-mlp.json', `${JSON.stringify(report, null, 2)}\n`)
console.log(JSON.stringify(report, null, 2))
