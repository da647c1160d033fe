/**
 * Where the time of one TD3 learner step goes (issue 6, ADR 0006). Not part of `npm run bench`; run with
 *   npx tsx --conditions=@polyak/source bench/td3.profile.ts [backend]
 * Prints JSON:
 *   - `kernels`: tf.profile over a pair of learner steps (one with, one without the actor), grouped by kernel name
 *     and input shapes: count and total ms (wasm kernels run synchronously, so the times are wall times);
 *   - `matMul`: ms per product for the shapes of a 256-256 layer's forward and backward pass, plain, with the
 *     transpose flags, and with an explicit `tf.transpose`;
 *   - `dispatch`: µs per op for tiny elementwise ops (the fixed cost of one kernel call through tfjs);
 *   - `copies`: ms of the batch upload (`toTensorBatch`) and of one `dataSync` of a scalar;
 *   - `nativeCalls` (native backend only): µs per learner step in each function of the addon (the products by shape,
 *     with their GFLOP/s) and the rest (tfjs and JavaScript), over 200 steps outside the profiler after
 *     `PROFILE_WARMUP` untimed ones (default 1 500), with the share of split products no worker helped with
 *     (ADR 0017, ADR 0021). `POLYAK_NATIVE_THREADS` sets the threads.
 */
import {
  disposeReplaced,
  disposeTrainState,
  initTrainState,
  makeNetworks,
  makeTd3Learner,
  Td3ConfigCodec,
} from '@polyak/agents'
import {
  type BackendName,
  type Batch,
  decodeOrThrow,
  loadNativeAddon,
  nativeHandOffs,
  nativeThreads,
  Rng,
  setBackend,
  toTensorBatch,
} from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { unhelpedShare } from '../../../scripts/bench/reference.mjs'

const backend = (process.argv[2] ?? 'wasm') as BackendName
await setBackend(backend)

const n = 256
const observationSize = 17
const actionSize = 6
const batch: Batch = {
  size: n,
  observationSize,
  actionSize,
  observations: Rng.uniformF32(Rng.key(1), n * observationSize, -1, 1),
  nextObservations: Rng.uniformF32(Rng.key(2), n * observationSize, -1, 1),
  actions: Rng.uniformF32(Rng.key(3), n * actionSize, -1, 1),
  rewards: Rng.normalF32(Rng.key(4), n),
  terminated: new Float32Array(n),
  truncated: new Float32Array(n),
}
const config = decodeOrThrow(Td3ConfigCodec, {})
const networks = makeNetworks({
  observationSize,
  actionSize,
  low: Array(actionSize).fill(-1),
  high: Array(actionSize).fill(1),
  hiddenSizes: config.hiddenSizes,
})
const learner = makeTd3Learner(networks, config)
let state = initTrainState(networks, { critics: 2 }, Rng.key(0))
const step = () => {
  const next = learner(state, batch, Rng.foldIn(Rng.key(9), state.step)).state
  disposeReplaced(state, next)
  state = next
}
for (let i = 0; i < 6; i++) step()

// Wall time of a pair of steps without the profiler, for reference.
const pairs = 10
let t0 = performance.now()
for (let i = 0; i < pairs; i++) {
  step()
  step()
}
const msPerPair = (performance.now() - t0) / pairs

const profile = await tf.profile(() => {
  step()
  step()
})
const groups = new Map<string, { count: number; ms: number }>()
let kernelMs = 0
for (const k of profile.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
  kernelMs += ms
  const name = `${k.name} ${JSON.stringify(k.inputShapes)}`
  const g = groups.get(name) ?? { count: 0, ms: 0 }
  g.count++
  g.ms += ms
  groups.set(name, g)
}
const byName = new Map<string, { count: number; ms: number }>()
for (const k of profile.kernels) {
  const g = byName.get(k.name) ?? { count: 0, ms: 0 }
  g.count++
  g.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
  byName.set(k.name, g)
}
const round = (x: number, d = 3) => Number(x.toFixed(d))
const sorted = (m: Map<string, { count: number; ms: number }>) =>
  [...m.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([name, g]) => ({ name, count: g.count, ms: round(g.ms), msEach: round(g.ms / g.count, 4) }))

/** Best of 5 rounds of `reps` calls, in ms per call (the output is read back and freed each call). */
const timeIt = (f: () => tf.Tensor, reps = 30): number => {
  for (let i = 0; i < 3; i++) f().dispose()
  let best = Number.POSITIVE_INFINITY
  for (let r = 0; r < 5; r++) {
    const start = performance.now()
    for (let i = 0; i < reps; i++) {
      const t = f()
      t.dataSync()
      t.dispose()
    }
    best = Math.min(best, (performance.now() - start) / reps)
  }
  return round(best, 4)
}
const rand = (shape: [number, number], seed: number) =>
  tf.tensor2d(Rng.uniformF32(Rng.key(seed), shape[0] * shape[1], -1, 1), shape)
const x23 = rand([n, 23], 10)
const w23 = rand([23, 256], 11)
const h = rand([n, 256], 12)
const w256 = rand([256, 256], 13)
const w1 = rand([256, 1], 14)
const dz1 = rand([n, 1], 15)
const matMul: Record<string, number> = {
  'fwd [256,23]·[23,256]': timeIt(() => tf.matMul(x23, w23)),
  'fwd [256,256]·[256,256], B packed once (same tensor)': timeIt(() => tf.matMul(h, w256)),
  'fwd [256,256]·[256,256], fresh B (packed each call)': timeIt(() => tf.tidy(() => tf.matMul(h, tf.add(w256, 0)))),
  'add [256,256] (to subtract from the line above)': timeIt(() => tf.add(w256, 0)),
  'fwd [256,256]·[256,1]': timeIt(() => tf.matMul(h, w1)),
  'dx dz·Wᵀ [256,256]·[256,256]ᵀ transposeB': timeIt(() => tf.matMul(h, w256, false, true), 3),
  'dx dz·Wᵀ explicit transpose + plain': timeIt(() => tf.tidy(() => tf.matMul(h, tf.transpose(w256)))),
  'dW xᵀ·dz [256,256]ᵀ·[256,256] transposeA': timeIt(() => tf.matMul(h, h, true, false), 3),
  'dW xᵀ·dz explicit transpose + plain': timeIt(() => tf.tidy(() => tf.matMul(tf.transpose(h), h))),
  'dW xᵀ·dz [256,23]ᵀ·[256,256] explicit': timeIt(() => tf.tidy(() => tf.matMul(tf.transpose(x23), h))),
  'dW xᵀ·dz [256,256]ᵀ·[256,1] explicit': timeIt(() => tf.tidy(() => tf.matMul(tf.transpose(h), dz1))),
  'dx dz·Wᵀ [256,1]·[256,1]ᵀ explicit': timeIt(() => tf.tidy(() => tf.matMul(dz1, tf.transpose(w1)))),
  'db ones[1,256]·dz [256,256]': timeIt(() => tf.tidy(() => tf.matMul(tf.ones([1, n]), h))),
  'transpose [256,256]': timeIt(() => tf.transpose(h)),
  'relu [256,256]': timeIt(() => tf.relu(h)),
  'add bias [256,256]+[256]': timeIt(() => tf.add(h, tf.zeros([256]))),
  'sum axis 0 [256,256]': timeIt(() => tf.sum(h, 0)),
  'mul [256,256]': timeIt(() => tf.mul(h, h)),
}

const small = tf.tensor1d([1, 2, 3, 4])
const opsPerRun = 2000
for (let i = 0; i < 100; i++) tf.tidy(() => tf.add(small, small))
t0 = performance.now()
tf.tidy(() => {
  for (let i = 0; i < opsPerRun; i++) tf.add(small, small)
})
const dispatchUs = round(((performance.now() - t0) / opsPerRun) * 1000, 2)

const uploadMs = timeIt(() => {
  const b = toTensorBatch(batch)
  tf.dispose([b.actions, b.nextObservations, b.rewards, b.terminated, b.truncated])
  return b.observations
}, 100)
const scalar = tf.scalar(1)
t0 = performance.now()
for (let i = 0; i < 1000; i++) scalar.dataSync()
const dataSyncUs = round(((performance.now() - t0) / 1000) * 1000, 2)

/** A name for the shapes of an addon call that runs products, and its floating-point operations. */
const productsOf = (name: string, args: unknown[]): { key: string; flops: number } | undefined => {
  if (name === 'gemm' || name === 'denseForward') {
    // gemm(a, b, c, batch, m, n, k, transA, transB, …); denseForward(x, w, bias, y, m, n, k, activation)
    const [m, n, k] = args.slice(4, 7) as number[]
    const flags = name === 'gemm' ? `${args[7] ? 'ᵀ' : ''}·${args[8] ? 'ᵀ' : ''}` : ' fused'
    return { key: `${name} m${m} n${n} k${k}${flags}`, flops: 2 * (m as number) * (n as number) * (k as number) }
  }
  // denseStack(xs, widths, ws, bs, hs, rows, activations); denseStackGradient(dy, xs, widths, ws, hs, dzs, dws, dbs,
  // dxs, rows, activations): the layer widths from the weights' lengths
  const stack = name === 'denseStack'
  if (!stack && name !== 'denseStackGradient') return undefined
  const rows = args[stack ? 5 : 9] as number
  const ws = args[stack ? 2 : 3] as Float32Array[]
  const dims = [(args[stack ? 1 : 2] as Int32Array).reduce((a, b) => a + b, 0)]
  for (const w of ws) dims.push(w.length / (dims.at(-1) as number))
  const macs = (i: number) => rows * (dims[i] as number) * (dims[i + 1] as number)
  if (stack) {
    const flops = 2 * ws.reduce((sum, _, i) => sum + macs(i), 0)
    return { key: `denseStack rows ${rows}: ${dims.join('→')}`, flops }
  }
  // the weight gradients wanted, the products of the walk down (to the lowest layer wanted), the input's gradient
  const wanted = (args[6] as (Float32Array | null)[]).map((dw) => dw !== null)
  const input = args[8] !== null
  const lowest = input ? 0 : wanted.indexOf(true)
  let flops = 0
  ws.forEach((_, i) => {
    if (wanted[i]) flops += 2 * macs(i)
    if (lowest >= 0 && i > lowest) flops += 2 * macs(i)
  })
  if (input) flops += 2 * macs(0)
  const which = `${input ? 'input' : ''}${input && wanted.some(Boolean) ? ' + ' : ''}${wanted.some(Boolean) ? 'layers' : ''}`
  return { key: `denseStackGradient rows ${rows}: ${dims.join('→')} (${which})`, flops }
}

/** Untimed learner steps before the per-function timing (`PROFILE_WARMUP`, default 1 500). */
const warmupSteps = Number(process.env.PROFILE_WARMUP ?? 1500)

/** Time spent inside each addon function during `steps` learner steps (the functions are wrapped, then restored). */
const nativeCalls = (steps: number) => {
  const loaded = loadNativeAddon()
  if (backend !== 'native' || !loaded.ok) return undefined
  const addon = loaded.addon as unknown as Record<string, unknown>
  const names = Object.keys(addon).filter(
    (k) => typeof addon[k] === 'function' && !['setThreads', 'threads', 'handOffs'].includes(k),
  )
  // untimed steps first: V8 compiles the step's code over its first ~1 500 steps, on the core the pool's worker uses
  for (let i = 0; i < warmupSteps; i++) step()
  const originals = new Map(names.map((name) => [name, addon[name] as (...args: unknown[]) => unknown]))
  const byFunction = new Map<string, { calls: number; ms: number }>()
  const byShape = new Map<string, { calls: number; ms: number; flops: number }>()
  for (const [name, f] of originals) {
    addon[name] = (...args: unknown[]) => {
      const t = performance.now()
      const out = f(...args)
      const ms = performance.now() - t
      const g = byFunction.get(name) ?? { calls: 0, ms: 0 }
      byFunction.set(name, { calls: g.calls + 1, ms: g.ms + ms })
      const shape = productsOf(name, args)
      if (shape !== undefined) {
        const s = byShape.get(shape.key) ?? { calls: 0, ms: 0, flops: shape.flops }
        byShape.set(shape.key, { ...s, calls: s.calls + 1, ms: s.ms + ms })
      }
      return out
    }
  }
  const handOffsBefore = nativeHandOffs()
  const start = performance.now()
  for (let i = 0; i < steps; i++) step()
  const totalMs = performance.now() - start
  const handOffsAfter = nativeHandOffs()
  for (const [name, f] of originals) addon[name] = f
  const inAddon = [...byFunction.values()].reduce((a, g) => a + g.ms, 0)
  const perStep = (ms: number) => round((ms / steps) * 1000, 1)
  return {
    threads: nativeThreads(),
    'µs per learner step': perStep(totalMs),
    'µs in the addon': perStep(inAddon),
    'µs elsewhere (tfjs, JavaScript)': perStep(totalMs - inAddon),
    warmupSteps,
    /** The share of the split products no worker helped with (the other core was busy), over the timed steps. */
    unhelpedShare: unhelpedShare(handOffsBefore, handOffsAfter),
    functions: [...byFunction.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([name, g]) => ({ name, callsPerStep: round(g.calls / steps, 2), µsPerStep: perStep(g.ms) })),
    products: [...byShape.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([name, g]) => ({
        name,
        callsPerStep: round(g.calls / steps, 2),
        µsPerStep: perStep(g.ms),
        gflops: round(g.flops / (g.ms / g.calls) / 1e6, 0),
      })),
  }
}
const native = nativeCalls(200)

tf.dispose([x23, w23, h, w256, w1, dz1, small, scalar])
disposeTrainState(state)

console.log(
  JSON.stringify(
    {
      backend,
      msPerPairOfSteps: round(msPerPair, 2),
      profiledKernels: profile.kernels.length,
      kernelMsTotal: round(kernelMs, 2),
      byKernel: sorted(byName),
      byKernelAndShape: sorted(groups).slice(0, 40),
      matMul,
      dispatch: { 'µs per tiny add (in tidy)': dispatchUs },
      copies: { 'toTensorBatch ms': uploadMs, 'scalar dataSync µs': dataSyncUs },
      nativeCalls: native,
    },
    null,
    2,
  ),
)
