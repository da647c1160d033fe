import {
  adamUpdate,
  denseReference,
  disposeAdam,
  disposeParams,
  initAdam,
  type Params,
  parameterCount,
  Rng,
  tidy,
  unprefixParams,
  valueAndGradsOf,
} from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyMlp, DDPG_FINAL_INIT, initMlp } from './mlp.js'
import { applyParkour, initParkour, type ParkourSpec, parkourMlpSpecs, range } from './parkour.js'

/** BipedalWalker's layout: 14 proprioceptive values, then 10 lidar values; the critic's action joins after. */
const critic: ParkourSpec = {
  inputSize: 24,
  torsos: [
    { name: 'proprioception', indices: range(0, 14), sizes: [16, 8] },
    { name: 'terrain', indices: range(14, 24), sizes: [12] },
  ],
  extraInputSize: 4,
  headSizes: [32],
  outputSize: 3,
  finalInit: DDPG_FINAL_INIT,
}
const actor: ParkourSpec = { ...critic, extraInputSize: 0, outputSize: 4, outputActivation: 'tanh' }

const shapes = (params: Params) => Object.fromEntries(Object.entries(params).map(([n, t]) => [n, t.shape]))
const maxAbs = (t: tf.Tensor): number => Math.max(...Array.from(t.dataSync()).map(Math.abs))
const randomInputs = (seed: number, batch: number, size: number): tf.Tensor2D =>
  tf.tensor2d(Rng.uniformF32(Rng.key(seed), batch * size, -2, 2), [batch, size])

describe('initParkour', () => {
  it('names the parameters per torso and head, with the shapes of the torsos and a head on [torsos, extra]', () => {
    const params = initParkour(critic)(Rng.key(0))
    expect(shapes(params)).toEqual({
      'proprioception/l0/kernel': [14, 16],
      'proprioception/l0/bias': [16],
      'proprioception/l1/kernel': [16, 8],
      'proprioception/l1/bias': [8],
      'terrain/l0/kernel': [10, 12],
      'terrain/l0/bias': [12],
      'head/l0/kernel': [8 + 12 + 4, 32],
      'head/l0/bias': [32],
      'head/l1/kernel': [32, 3],
      'head/l1/bias': [3],
    })
    expect(parameterCount(params)).toBe(14 * 16 + 16 + 16 * 8 + 8 + 10 * 12 + 12 + 24 * 32 + 32 + 32 * 3 + 3)
    expect(parkourMlpSpecs(critic).head.inputSize).toBe(24)
    expect(maxAbs(params['head/l1/kernel'] as tf.Tensor)).toBeLessThanOrEqual(3e-3) // finalInit only on the output
    expect(maxAbs(params['terrain/l0/kernel'] as tf.Tensor)).toBeGreaterThan(0.1)
    disposeParams(params)
  })

  it('is a pure function of the key: torso i from child key i, the head from the last child key', () => {
    const a = initParkour(critic)(Rng.key(7))
    const b = initParkour(critic)(Rng.key(7))
    for (const [name, t] of Object.entries(a)) expect(t.dataSync()).toEqual((b[name] as tf.Tensor).dataSync())
    const { torsos, head } = parkourMlpSpecs(critic)
    const keys = Rng.split(Rng.key(7), 3)
    const terrain = initMlp(torsos[1] as (typeof torsos)[number])(keys[1] as Rng.Key)
    const headParams = initMlp(head)(keys[2] as Rng.Key)
    expect(a['terrain/l0/kernel']?.dataSync()).toEqual(terrain['l0/kernel']?.dataSync())
    expect(a['head/l1/kernel']?.dataSync()).toEqual(headParams['l1/kernel']?.dataSync())
    disposeParams(a, b, terrain, headParams)
  })

  it('rejects torsos that overlap, leave inputs unread, read outside the input, or reuse a name', () => {
    const torso = (name: string, indices: readonly number[]) => ({ name, indices, sizes: [4] })
    const base = { inputSize: 4, headSizes: [], outputSize: 1 }
    expect(() => initParkour({ ...base, torsos: [torso('a', [0, 1, 2]), torso('b', [2, 3])] })(Rng.key(0))).toThrow(
      /index 2 is read by both 'a' and 'b'/,
    )
    expect(() => initParkour({ ...base, torsos: [torso('a', [0, 1]), torso('b', [3])] })(Rng.key(0))).toThrow(
      /\[2\] are read by no torso/,
    )
    expect(() => initParkour({ ...base, torsos: [torso('a', [0, 1, 2, 3, 4])] })(Rng.key(0))).toThrow(/outside/)
    expect(() => initParkour({ ...base, torsos: [torso('head', [0, 1, 2, 3])] })(Rng.key(0))).toThrow(/names/)
    expect(() =>
      initParkour({ ...base, torsos: [{ name: 'a', indices: [0, 1, 2, 3], sizes: [] }] })(Rng.key(0)),
    ).toThrow(/at least one layer/)
  })
})

describe('applyParkour', () => {
  it('outputs [batch, outputSize] for an actor (no extra input) and a critic (the action after the torsos)', () => {
    const actorParams = initParkour(actor)(Rng.key(1))
    const criticParams = initParkour(critic)(Rng.key(2))
    tidy(() => {
      const x = randomInputs(3, 5, 24)
      const actions = applyParkour(actor)(actorParams, x)
      expect(actions.shape).toEqual([5, 4])
      expect(maxAbs(actions)).toBeLessThanOrEqual(1) // tanh output
      expect(applyParkour(critic)(criticParams, x, actions).shape).toEqual([5, 3])
      expect(() => applyParkour(critic)(criticParams, x)).toThrow(/extra input of size 4/)
    })
    disposeParams(actorParams, criticParams)
  })

  it('equals a hand-built composition of two torso MLPs and a head MLP, values and gradients (fast-check)', () => {
    // indices in any order and interleaved: gathered groups must match the hand-built gather
    const interleaved: ParkourSpec = {
      ...critic,
      torsos: [
        { name: 'a', indices: [5, 0, 2, 7], sizes: [6] },
        { name: 'b', indices: [1, 3, 4, 6], sizes: [5, 3] },
      ],
      inputSize: 8,
      extraInputSize: 2,
    }
    const cases = [critic, interleaved]
    fc.assert(
      fc.property(fc.nat(1_000), fc.integer({ min: 1, max: 6 }), fc.constantFrom(0, 1), (seed, batch, which) => {
        const spec = cases[which] as ParkourSpec
        const params = initParkour(spec)(Rng.key(seed))
        const specs = parkourMlpSpecs(spec)
        const extraSize = spec.extraInputSize ?? 0
        tidy(() => {
          const x = randomInputs(seed + 1, batch, spec.inputSize)
          const extra = randomInputs(seed + 2, batch, extraSize)
          const byHand = (p: Params, input: tf.Tensor2D) => {
            const outs = spec.torsos.map((torso, i) =>
              applyMlp(specs.torsos[i] as (typeof specs.torsos)[number], denseReference)(
                unprefixParams(`${torso.name}/`, p),
                tf.gather(input, Array.from(torso.indices), 1) as tf.Tensor2D,
              ),
            )
            return applyMlp(specs.head, denseReference)(unprefixParams('head/', p), tf.concat([...outs, extra], 1))
          }
          const fast = applyParkour(spec)(params, x, extra)
          const reference = byHand(params, x)
          expect(maxAbs(tf.sub(fast, reference))).toBeLessThan(1e-5)
          const lossOf = (f: (p: Params) => tf.Tensor2D) => (p: Params) => tf.sum(tf.square(f(p))) as tf.Scalar
          const g1 = valueAndGradsOf(
            lossOf((p) => applyParkour(spec)(p, x, extra)),
            params,
          ).grads
          const g2 = valueAndGradsOf(
            lossOf((p) => byHand(p, x)),
            params,
          ).grads
          for (const [name, g] of Object.entries(g1)) {
            const r = g2[name] as tf.Tensor
            expect(maxAbs(tf.sub(g, r))).toBeLessThanOrEqual(1e-4 * Math.max(1, maxAbs(r)))
          }
        })
        disposeParams(params)
      }),
      { numRuns: 20 },
    )
  })

  it('a torso only sees its own indices: zeroed terrain inputs give the terrain kernel zero gradient, not the rest', () => {
    const params = initParkour(critic)(Rng.key(4))
    tidy(() => {
      const mask = tf.concat([tf.ones([1, 14]), tf.zeros([1, 10])], 1)
      const x = tf.mul(randomInputs(5, 8, 24), mask) as tf.Tensor2D // lidar values zeroed
      const actions = randomInputs(6, 8, 4)
      const { grads } = valueAndGradsOf(
        (p) => tf.sum(tf.square(applyParkour(critic)(p, x, actions))) as tf.Scalar,
        params,
      )
      expect(maxAbs(grads['terrain/l0/kernel'] as tf.Tensor)).toBe(0)
      expect(maxAbs(grads['terrain/l0/bias'] as tf.Tensor)).toBeGreaterThan(0) // the torso is still in the graph
      expect(maxAbs(grads['proprioception/l0/kernel'] as tf.Tensor)).toBeGreaterThan(0)
    })
    disposeParams(params)
  })

  it('the terrain reaches the output only through the terrain torso: with its kernel zeroed, dQ/d(lidar) = 0', () => {
    const params = initParkour(critic)(Rng.key(8))
    const cut: Params = {
      ...params,
      'terrain/l0/kernel': tf.zerosLike(params['terrain/l0/kernel'] as tf.Tensor),
    }
    tidy(() => {
      const x = randomInputs(9, 8, 24)
      const actions = randomInputs(10, 8, 4)
      const dx = (p: Params) =>
        tf.grad((input: tf.Tensor) => tf.sum(applyParkour(critic)(p, input as tf.Tensor2D, actions)))(x)
      const cutGrad = dx(cut)
      expect(maxAbs(tf.slice(cutGrad, [0, 14], [-1, 10]))).toBe(0)
      expect(maxAbs(tf.slice(cutGrad, [0, 0], [-1, 14]))).toBeGreaterThan(0)
      expect(maxAbs(tf.slice(dx(params), [0, 14], [-1, 10]))).toBeGreaterThan(0)
      // and the action joins after the torsos: d/d(action) is the same whatever the terrain torso does
      const da = (p: Params) => tf.grad((a: tf.Tensor) => tf.sum(applyParkour(critic)(p, x, a as tf.Tensor2D)))(actions)
      expect(maxAbs(da(params))).toBeGreaterThan(0)
    })
    ;(cut['terrain/l0/kernel'] as tf.Tensor).dispose()
    disposeParams(params)
  })

  it('leaks no tensor over 300 forward/backward/Adam steps', () => {
    let params = initParkour(critic)(Rng.key(11))
    let adam = initAdam(params)
    const x = randomInputs(12, 32, 24)
    const actions = randomInputs(13, 32, 4)
    const target = randomInputs(14, 32, 3)
    const step = () => {
      const next = tidy(() => {
        const { value, grads } = valueAndGradsOf(
          (p) => tf.mean(tf.square(tf.sub(applyParkour(critic)(p, x, actions), target))) as tf.Scalar,
          params,
        )
        return { loss: value.dataSync()[0] as number, ...adamUpdate({ learningRate: 1e-2 })(params, grads, adam) }
      })
      disposeParams(params)
      disposeAdam(adam)
      params = next.params
      adam = next.state
      return next.loss
    }
    const first = step()
    const before = tf.memory().numTensors
    let last = first
    for (let i = 0; i < 300; i++) last = step()
    expect(tf.memory().numTensors).toBe(before)
    expect(last).toBeLessThan(first / 2) // and it does fit
    disposeParams(params)
    disposeAdam(adam)
    tf.dispose([x, actions, target])
  })
})
