/**
 * Two-stream ("Parkour") networks as data (Barth-Maron et al. 2018, Fig. 1 right; Heess et al. 2017): the input is
 * split into named groups of indices (terrain, proprioception, …); each group goes through its own torso (an MLP), the
 * torso outputs are concatenated, optionally with an extra input that joins after the torsos (a critic's action), and
 * go through a shared head (an MLP). Parameters are one flat record: torso `name` owns `name/l<i>/kernel` and
 * `name/l<i>/bias`, the head owns `head/l<i>/…`. Every layer is core's `dense` (its fast gradient) unless another
 * layer is given.
 *
 * @module parkour
 */
import { type Activation, dense, type Params, prefixParams, Rng, unprefixParams } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import type { Init } from './init.js'
import { applyMlp, type DenseLayer, initMlp, type MlpSpec } from './mlp.js'

/**
 * One input stream: the indices of the input it reads (in this order) and the widths of its torso's layers (the last
 * width is the torso's output size).
 *
 * @example
 * ```ts
 * const terrain: TorsoSpec = { name: 'terrain', indices: [14, 15, 16, 17, 18, 19, 20, 21, 22, 23], sizes: [64, 64] }
 * ```
 */
export interface TorsoSpec {
  /** Prefix of the torso's parameters (`<name>/l0/kernel`); not `head`, no `/`. */
  readonly name: string
  /** The input columns this torso reads, e.g. the lidar values of an observation. */
  readonly indices: readonly number[]
  /** Layer widths of the torso, at least one (the last is its output size). */
  readonly sizes: readonly number[]
}

/**
 * The shape of a two-stream network: torsos over disjoint groups of the input that together cover it, an optional
 * extra input joined after the torsos, and a head.
 *
 * @example
 * ```ts
 * const critic: ParkourSpec = {
 *   inputSize: 24,
 *   torsos: [
 *     { name: 'proprioception', indices: range(0, 14), sizes: [64] },
 *     { name: 'terrain', indices: range(14, 24), sizes: [64] },
 *   ],
 *   extraInputSize: 4, // the action
 *   headSizes: [128],
 *   outputSize: 51,
 * }
 * ```
 */
export interface ParkourSpec {
  /** Size of the input vector (the observation). */
  readonly inputSize: number
  /** The streams; their indices partition `[0, inputSize)`. */
  readonly torsos: readonly TorsoSpec[]
  /** Size of an input concatenated with the torso outputs before the head (a critic's action); default 0. */
  readonly extraInputSize?: number
  /** Hidden widths of the head. */
  readonly headSizes: readonly number[]
  /** Size of the output vector. */
  readonly outputSize: number
  /** Activation of every hidden layer, torso outputs included (default `relu`). */
  readonly activation?: Activation
  /** Output activation (default `linear`; `tanh` for a bounded actor). */
  readonly outputActivation?: Activation
  /** Initialisation of every layer but the output layer (default `fanIn`). */
  readonly init?: Init
  /** Initialisation of the output layer (default: same as `init`). */
  readonly finalInit?: Init
}

/**
 * The integers `start, start + 1, …, end − 1`: a contiguous group of indices.
 *
 * @example
 * ```ts
 * range(14, 24) // the 10 lidar values of BipedalWalker's observation
 * ```
 */
export const range = (start: number, end: number): readonly number[] =>
  Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i)

const validate = (spec: ParkourSpec): void => {
  const { inputSize, torsos } = spec
  const extra = spec.extraInputSize ?? 0
  if (!Number.isInteger(inputSize) || inputSize <= 0)
    throw new RangeError(`Parkour: inputSize must be an integer > 0, got ${inputSize}`)
  if (!Number.isInteger(extra) || extra < 0)
    throw new RangeError(`Parkour: extraInputSize must be an integer >= 0, got ${extra}`)
  if (torsos.length === 0) throw new RangeError('Parkour: needs at least one torso')
  const owner = new Map<number, string>()
  const names = new Set<string>()
  for (const torso of torsos) {
    if (torso.name === '' || torso.name === 'head' || torso.name.includes('/') || names.has(torso.name))
      throw new RangeError(`Parkour: torso names must be distinct, non-empty, not 'head', without '/': '${torso.name}'`)
    names.add(torso.name)
    if (torso.indices.length === 0) throw new RangeError(`Parkour: torso '${torso.name}' reads no input`)
    if (torso.sizes.length === 0) throw new RangeError(`Parkour: torso '${torso.name}' needs at least one layer`)
    for (const index of torso.indices) {
      if (!Number.isInteger(index) || index < 0 || index >= inputSize)
        throw new RangeError(`Parkour: torso '${torso.name}' reads index ${index}, outside [0, ${inputSize})`)
      const other = owner.get(index)
      if (other !== undefined)
        throw new RangeError(`Parkour: index ${index} is read by both '${other}' and '${torso.name}'`)
      owner.set(index, torso.name)
    }
  }
  const missing = range(0, inputSize).filter((i) => !owner.has(i))
  if (missing.length > 0) throw new RangeError(`Parkour: input indices [${missing}] are read by no torso`)
}

/**
 * The MLP specs a two-stream spec is made of: one per torso (its output activated like a hidden layer) and the head's
 * (input: the torso outputs then the extra input).
 *
 * @throws RangeError when the torsos do not partition the input, a name is invalid, or a size is not a positive integer
 *
 * @example
 * ```ts
 * const { torsos, head } = parkourMlpSpecs(spec)
 * head.inputSize // sum of the torsos' last sizes + extraInputSize
 * ```
 */
export const parkourMlpSpecs = (spec: ParkourSpec): { readonly torsos: readonly MlpSpec[]; readonly head: MlpSpec } => {
  validate(spec)
  const activation = spec.activation ?? 'relu'
  const init = spec.init ?? 'fanIn'
  const torsos = spec.torsos.map(
    (torso): MlpSpec => ({
      inputSize: torso.indices.length,
      hiddenSizes: torso.sizes.slice(0, -1),
      outputSize: torso.sizes[torso.sizes.length - 1] as number,
      activation,
      outputActivation: activation,
      init,
    }),
  )
  const head: MlpSpec = {
    inputSize: torsos.reduce((sum, t) => sum + t.outputSize, 0) + (spec.extraInputSize ?? 0),
    hiddenSizes: spec.headSizes,
    outputSize: spec.outputSize,
    activation,
    outputActivation: spec.outputActivation ?? 'linear',
    init,
    ...(spec.finalInit === undefined ? {} : { finalInit: spec.finalInit }),
  }
  return { torsos, head }
}

/**
 * Draws the parameters of a two-stream network from a key: torso `i` from the `i`-th child key, the head from the
 * last (`Rng.split(key, torsos + 1)`). Same key and spec, same parameters (bit for bit).
 *
 * @throws RangeError for an invalid spec (see {@link parkourMlpSpecs})
 *
 * @example
 * ```ts
 * const params = initParkour(spec)(Rng.key(0)) // { 'proprioception/l0/kernel': [14, 64], …, 'head/l1/bias': [51] }
 * ```
 */
export const initParkour = (spec: ParkourSpec) => {
  const specs = parkourMlpSpecs(spec)
  return (key: Rng.Key): Params => {
    const keys = Rng.split(key, specs.torsos.length + 1)
    const torsoParams = specs.torsos.map((torso, i) =>
      prefixParams(`${(spec.torsos[i] as TorsoSpec).name}/`, initMlp(torso)(keys[i] as Rng.Key)),
    )
    const headParams = prefixParams('head/', initMlp(specs.head)(keys[specs.torsos.length] as Rng.Key))
    return Object.assign({}, ...torsoParams, headParams) as Params
  }
}

const isContiguous = (indices: readonly number[]): boolean =>
  indices.every((index, i) => index === (indices[0] as number) + i)

/**
 * The forward pass of a two-stream network: `head([torso_1(x[idx_1]), …, torso_k(x[idx_k]), extra])`. A pure
 * function of the parameters, the input `[batch, inputSize]` and, when the spec has `extraInputSize > 0`, the extra
 * input `[batch, extraInputSize]`; differentiable with respect to all of them. Contiguous index groups are sliced,
 * others gathered.
 *
 * @throws RangeError for an invalid spec; Error at call time when the extra input is missing or parameters are missing
 *
 * @example
 * ```ts
 * const critic = applyParkour(spec)
 * const logits = tf.tidy(() => critic(params, observations, actions)) // [batch, 51]
 * ```
 */
export const applyParkour = (spec: ParkourSpec, layer: DenseLayer = dense) => {
  const specs = parkourMlpSpecs(spec)
  const torsos = spec.torsos.map((torso, i) => ({
    prefix: `${torso.name}/`,
    indices: torso.indices,
    contiguous: isContiguous(torso.indices),
    forward: applyMlp(specs.torsos[i] as MlpSpec, layer),
  }))
  const head = applyMlp(specs.head, layer)
  const extraSize = spec.extraInputSize ?? 0
  return (params: Params, input: tf.Tensor2D, extra?: tf.Tensor2D): tf.Tensor2D => {
    if (extraSize > 0 && extra === undefined)
      throw new Error(`applyParkour: the spec needs an extra input of size ${extraSize}`)
    const parts = torsos.map(({ prefix, indices, contiguous, forward }) => {
      const x = contiguous
        ? tf.slice(input, [0, indices[0] as number], [-1, indices.length])
        : tf.gather(input, tf.tensor1d(Array.from(indices), 'int32'), 1)
      return forward(unprefixParams(prefix, params), x as tf.Tensor2D)
    })
    if (extraSize > 0 && extra !== undefined) parts.push(extra)
    return head(unprefixParams('head/', params), parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.concat(parts, 1))
  }
}
