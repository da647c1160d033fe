/**
 * The embedded default job until the full trainer lands: fit a critic-shaped MLP to Pendulum-v1's one-step reward
 * `r(s, a) = −(θ² + 0.1·θ̇² + 0.001·a²)` on random (s, a) samples, with Adam and a Polyak-averaged target network,
 * exercising every piece of `@polyak/core` a DDPG learner uses: backend, Rng keys, MLP, Adam, polyakUpdate,
 * checkpoints, and io-ts configs.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  adamUpdate,
  applyMlp,
  DDPG_FINAL_INIT,
  disposeAdam,
  disposeParams,
  formatBackendInfo,
  hardUpdate,
  initAdam,
  initMlp,
  type MlpSpec,
  type Params,
  polyakUpdate,
  prefixParams,
  Rng,
  saveCheckpoint,
  setBackend,
  tidy,
  valueAndGradsOf,
} from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import type { DemoConfig } from './config.js'
import { lineChart } from './svgChart.js'

/** What the demo reports when it finishes. */
export interface DemoResult {
  readonly runDir: string
  readonly initialLoss: number
  readonly finalLoss: number
  readonly targetLoss: number
  readonly stepsPerSecond: number
}

/** A batch of Pendulum states and actions with their rewards, drawn from a key. */
const sampleBatch = (key: Rng.Key, size: number): { x: Float32Array; y: Float32Array } => {
  const [kTheta, kVelocity, kAction] = Rng.split(key, 3) as [Rng.Key, Rng.Key, Rng.Key]
  const theta = Rng.uniform(kTheta, size, -Math.PI, Math.PI)
  const velocity = Rng.uniform(kVelocity, size, -8, 8)
  const action = Rng.uniform(kAction, size, -2, 2)
  const x = new Float32Array(size * 4)
  const y = new Float32Array(size)
  for (let i = 0; i < size; i++) {
    const [th, v, a] = [theta[i] as number, velocity[i] as number, action[i] as number]
    x.set([Math.cos(th), Math.sin(th), v / 8, a / 2], i * 4)
    y[i] = -(th * th + 0.1 * v * v + 0.001 * a * a)
  }
  return { x, y }
}

/**
 * Runs the demo with a decoded config, printing a progress line every `logEvery` steps, and writes
 * `metrics.jsonl`, `loss.svg` and a checkpoint under `<outDir>/demo__<seed>__<time>/`.
 */
export const runDemo = async (config: DemoConfig, log: (line: string) => void = console.log): Promise<DemoResult> => {
  const backend = await setBackend(config.backend)
  log(formatBackendInfo(backend))
  // relative to where the user ran `npm start` (npm runs workspace scripts inside the workspace folder)
  const runDir = path.resolve(
    process.env.INIT_CWD ?? process.cwd(),
    config.outDir,
    `demo__${config.seed}__${Date.now()}`,
  )
  mkdirSync(runDir, { recursive: true })

  const spec: MlpSpec = { inputSize: 4, hiddenSizes: config.hiddenSizes, outputSize: 1, finalInit: DDPG_FINAL_INIT }
  const critic = applyMlp(spec)
  const [initKey, dataKey, evalKey] = Rng.split(Rng.key(config.seed), 3) as [Rng.Key, Rng.Key, Rng.Key]
  let params: Params = initMlp(spec, initKey)
  let target: Params = hardUpdate(params)
  let adam = initAdam(params)
  const update = adamUpdate({ learningRate: config.learningRate })
  const averageTarget = polyakUpdate(config.tau)

  const evalBatch = sampleBatch(evalKey, 1024)
  const evalX = tf.tensor2d(evalBatch.x, [1024, 4])
  const evalY = tf.tensor2d(evalBatch.y, [1024, 1])
  const lossOf = (p: Params, x: tf.Tensor2D, y: tf.Tensor2D) => tf.mean(tf.square(tf.sub(critic(p, x), y))) as tf.Scalar
  const evalLoss = (p: Params) => tf.tidy(() => lossOf(p, evalX, evalY).dataSync()[0] as number)

  const initialLoss = evalLoss(params)
  const metrics: string[] = []
  const curve: Array<[number, number]> = [[0, initialLoss]]
  const targetCurve: Array<[number, number]> = [[0, initialLoss]]
  const start = performance.now()
  let lastLog = start
  let lastStep = 0
  for (let step = 1; step <= config.steps; step++) {
    const { x, y } = sampleBatch(Rng.foldIn(dataKey, step), config.batchSize)
    const next = tidy(() => {
      const xs = tf.tensor2d(x, [config.batchSize, 4])
      const ys = tf.tensor2d(y, [config.batchSize, 1])
      const { value, grads } = valueAndGradsOf((p) => lossOf(p, xs, ys), params)
      return { loss: value, ...update(params, grads, adam) }
    })
    const newTarget = averageTarget(next.params, target)
    disposeParams(params, target)
    disposeAdam(adam)
    params = next.params
    adam = next.state
    target = newTarget
    const loss = next.loss.dataSync()[0] as number
    next.loss.dispose()
    if (!Number.isFinite(loss)) throw new Error(`losses/critic became ${loss} at step ${step}; stopping`)
    if (step % config.logEvery === 0 || step === config.steps) {
      const now = performance.now()
      const sps = ((step - lastStep) * 1000) / (now - lastLog)
      const [heldOut, heldOutTarget] = [evalLoss(params), evalLoss(target)]
      curve.push([step, heldOut])
      targetCurve.push([step, heldOutTarget])
      metrics.push(
        JSON.stringify({
          step,
          'losses/critic': loss,
          'eval/critic': heldOut,
          'eval/target': heldOutTarget,
          'charts/sps': sps,
        }),
      )
      log(
        `step ${String(step).padStart(String(config.steps).length)}/${config.steps} | ${sps.toFixed(1)} steps/s | ` +
          `loss ${loss.toFixed(4)} | held-out ${heldOut.toFixed(4)} | target net ${heldOutTarget.toFixed(4)}`,
      )
      lastLog = now
      lastStep = step
    }
  }
  const stepsPerSecond = (config.steps * 1000) / (performance.now() - start)
  const finalLoss = evalLoss(params)
  const targetLoss = evalLoss(target)

  writeFileSync(path.join(runDir, 'metrics.jsonl'), `${metrics.join('\n')}\n`)
  writeFileSync(
    path.join(runDir, 'loss.svg'),
    lineChart(
      [
        { name: 'online critic', points: curve },
        { name: 'target critic (Polyak)', points: targetCurve },
      ],
      { title: 'Pendulum reward regression: held-out MSE', xLabel: 'step', yLabel: 'mean squared error' },
    ),
  )
  const checkpointDir = await saveCheckpoint(path.join(runDir, 'checkpoints'), {
    step: config.steps,
    tensors: { ...prefixParams('critic/', params), ...prefixParams('target/', target) },
    metadata: { config, finalLoss },
  })
  log(`checkpoint: ${checkpointDir}`)
  log(`curve: ${path.join(runDir, 'loss.svg')}`)
  disposeParams(params, target)
  disposeAdam(adam)
  tf.dispose([evalX, evalY])
  return { runDir, initialLoss, finalLoss, targetLoss, stepsPerSecond }
}
