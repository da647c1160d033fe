/**
 * A variational autoencoder (Kingma & Welling 2014) for small images, as data and pure functions: the state
 * representation of "Learning to Drive in a Day" (Kendall et al. 2018), where a VAE compresses the camera image and
 * the policy acts on its latent mean.
 *
 * - Encoder: a conv torso ({@link applyConvTorso}: `filters`, `kernelSize`, `strides`, `same` padding, ReLU) on
 *   `[N, imageHeight, imageWidth, channels]` images with values in [0, 1], flattened, then two linear heads: the mean
 *   and the log-variance of a diagonal Gaussian over `latentSize` values.
 * - Decoder: a linear layer with ReLU from the latent to the encoder's last feature map, reshaped, then transposed
 *   convolutions ({@link conv2dTransposeLayer}) mirroring the encoder (ReLU between them) back to the image size and
 *   channels; a sigmoid maps the last layer's logits to [0, 1].
 * - Loss: `total = reconstruction + beta · kl`, each summed over pixels (latent values) and averaged over the batch:
 *   the reconstruction is the binary cross-entropy between the images and the decoded pixel probabilities
 *   (`reconstruction: 'bce'`, the default) or the squared error (`'mse'`); `kl` is the closed-form
 *   KL(N(mean, exp(logVar)) ‖ N(0, I)). The latent is sampled by reparameterisation, `z = mean + exp(logVar / 2) · ε`,
 *   with ε drawn from an `Rng` key, so a loss is a pure function of the parameters, the images and the key.
 *
 * Parameters are one flat record (save it with `saveCheckpoint`): `encoder/c<i>/…` (the torso), `encoder/mean/l0/…`,
 * `encoder/logVar/l0/…`, `decoder/l0/…` (the linear layer) and `decoder/t<j>/kernel` (`[k, k, out, in]`) and
 * `decoder/t<j>/bias`, lowest resolution first.
 *
 * Like every architecture, the VAE is written `initVae(config)(key)` and `encodeVae(config)(params, images)`: curried
 * on its config. It is built from the conv torso and MLP of `@polyak/agents` and core's `conv2dTransposeLayer`; it
 * lives in the driving app, its only user (docs/adr/0012).
 *
 * @module vaeModel
 */
import {
  applyConvTorso,
  applyMlp,
  type ConvTorsoSpec,
  convTorsoShapes,
  initConvKernel,
  initConvTorso,
  initMlp,
  type MlpSpec,
} from '@polyak/agents'
import {
  type AdamState,
  adamUpdate,
  conv2dTransposeLayer,
  disposeAdam,
  disposeParams,
  initAdam,
  NonNegativeNumber,
  type Params,
  PositiveInt,
  PositiveNumber,
  prefixParams,
  Rng,
  strictObject,
  tidy,
  unprefixParams,
  valueAndGradsOf,
  withDefaults,
} from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import * as t from 'io-ts'

// ---------------------------------------------------------------------------------------------------------------
// config

/** A codec that checks, after `codec`, relations between fields; each problem is reported at its field's path. */
const refined = <C extends t.Mixed>(
  codec: C,
  problems: (value: t.TypeOf<C>) => ReadonlyArray<readonly [field: string, message: string]>,
): t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> =>
  new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(
    codec.name,
    (u): u is t.TypeOf<C> => codec.is(u) && problems(u).length === 0,
    (u, c) => {
      const result = codec.validate(u, c)
      if (result._tag === 'Left') return result
      const found = problems(result.right)
      if (found.length === 0) return result
      return t.failures(
        found.map(([field, message]) => {
          const value = (result.right as Readonly<Record<string, unknown>>)[field]
          return { value, context: t.appendContext(c, field, t.unknown, value), message }
        }),
      )
    },
    (a) => codec.encode(a),
  )

const VaeConfigProps = strictObject('VaeConfig', {
  /** Image height in pixels; a multiple of `strides ** filters.length`. */
  imageHeight: PositiveInt,
  /** Image width in pixels; a multiple of `strides ** filters.length`. */
  imageWidth: PositiveInt,
  /** Channels per pixel (1: grey, 3: RGB). */
  channels: PositiveInt,
  /** Size of the latent Gaussian. */
  latentSize: PositiveInt,
  /** Output channels of the encoder's convolutions (the decoder mirrors them). */
  filters: t.readonlyArray(PositiveInt),
  /** Kernel width and height of every convolution. */
  kernelSize: PositiveInt,
  /** Stride of every convolution (the encoder divides each side by it per layer, the decoder multiplies). */
  strides: PositiveInt,
  /** Weight of the KL term (β-VAE; 1: the ELBO). */
  beta: NonNegativeNumber,
  /** Adam's step size. */
  learningRate: PositiveNumber,
  /** Images per training batch (for the caller that draws batches; the step takes any batch size). */
  batchSize: PositiveInt,
  /** `bce`: binary cross-entropy of the pixels (default); `mse`: squared error. Both summed over pixels. */
  reconstruction: t.keyof({ bce: null, mse: null }, 'one of bce, mse'),
})

/**
 * The io-ts codec of a VAE's configuration, with defaults for the 64 × 64 grey camera of `LaneFollowing-v0`:
 * `imageHeight` 64, `imageWidth` 64, `channels` 1, `latentSize` 32, `filters` [32, 32, 64, 64] (64 → 32 → 16 → 8 →
 * 4, so 4·4·64 = 1024 features), `kernelSize` 4, `strides` 2, `beta` 1, `learningRate` 1e-3, `batchSize` 64,
 * `reconstruction` `'bce'`. Unknown keys are errors; the image sides must be multiples of `strides ** filters.length`
 * so that the decoder gives the image size back, and `filters` must list at least one layer (the error names the
 * field).
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(VaeConfigCodec, { latentSize: 16 }, 'vae config')
 * decodeOrThrow(VaeConfigCodec, { imageHeight: 60 }) // throws: imageHeight: expected a multiple of 16 (strides ** filters.length = 2 ** 4), got 60
 * ```
 */
export const VaeConfigCodec = withDefaults(
  refined(VaeConfigProps, (config) => {
    const problems: Array<readonly [string, string]> = []
    const layers = config.filters.length
    if (layers === 0) return [['filters', 'expected at least one layer, got []']]
    const factor = config.strides ** layers
    for (const field of ['imageHeight', 'imageWidth'] as const) {
      if (config[field] % factor !== 0)
        problems.push([
          field,
          `expected a multiple of ${factor} (strides ** filters.length = ${config.strides} ** ${layers}), got ${config[field]}`,
        ])
    }
    return problems
  }),
  {
    imageHeight: 64,
    imageWidth: 64,
    channels: 1,
    latentSize: 32,
    filters: [32, 32, 64, 64],
    kernelSize: 4,
    strides: 2,
    beta: 1,
    learningRate: 1e-3,
    batchSize: 64,
    reconstruction: 'bce',
  },
)

/**
 * A decoded VAE configuration.
 *
 * @example
 * ```ts
 * const config: VaeConfig = decodeOrThrow(VaeConfigCodec, {})
 * ```
 */
export type VaeConfig = t.TypeOf<typeof VaeConfigCodec>

/**
 * The parameters of a VAE: one flat record of tensors (see the module notes for the names).
 *
 * @example
 * ```ts
 * const params: VaeParams = initVae(config)(Rng.key(0))
 * await saveCheckpoint('runs/vae', { step: 0, tensors: params, metadata: { config } })
 * ```
 */
export type VaeParams = Params

// ---------------------------------------------------------------------------------------------------------------
// layout

interface DecoderLayer {
  readonly name: string
  readonly inChannels: number
  readonly outChannels: number
}

interface VaeLayout {
  readonly torso: ConvTorsoSpec
  readonly features: number
  readonly featureShape: readonly [number, number, number]
  readonly head: MlpSpec
  readonly decoderDense: MlpSpec
  readonly decoder: readonly DecoderLayer[]
}

const layoutOf = (config: VaeConfig): VaeLayout => {
  const { imageHeight, imageWidth, channels, filters, kernelSize, strides, latentSize } = config
  const torso: ConvTorsoSpec = {
    inputShape: [imageHeight, imageWidth, channels],
    filters,
    kernelSize,
    strides,
    padding: 'same',
    inputGradient: false,
  }
  const shapes = convTorsoShapes(torso)
  const featureShape = shapes[shapes.length - 1] as readonly [number, number, number]
  const features = featureShape[0] * featureShape[1] * featureShape[2]
  const layers = filters.length
  const decoder = Array.from({ length: layers }, (_, j) => ({
    name: `decoder/t${j}/`,
    inChannels: filters[layers - 1 - j] as number,
    outChannels: j < layers - 1 ? (filters[layers - 2 - j] as number) : channels,
  }))
  return {
    torso,
    features,
    featureShape,
    head: { inputSize: features, hiddenSizes: [], outputSize: latentSize },
    decoderDense: { inputSize: latentSize, hiddenSizes: [], outputSize: features, outputActivation: 'relu' },
    decoder,
  }
}

/**
 * The name and shape of every parameter of a VAE, e.g. for `loadCheckpoint(root, { like: vaeParamShapes(config) })`.
 *
 * @example
 * ```ts
 * vaeParamShapes(decodeOrThrow(VaeConfigCodec, {}))['decoder/t3/kernel'] // [4, 4, 1, 32]
 * ```
 */
export const vaeParamShapes = (config: VaeConfig): Readonly<Record<string, readonly number[]>> => {
  const { torso, features, head, decoder } = layoutOf(config)
  const k = config.kernelSize
  const shapes: Record<string, readonly number[]> = {}
  let inChannels: number = config.channels
  for (const [i, f] of torso.filters.entries()) {
    shapes[`encoder/c${i}/kernel`] = [k, k, inChannels, f]
    shapes[`encoder/c${i}/bias`] = [f]
    inChannels = f
  }
  for (const name of ['mean', 'logVar']) {
    shapes[`encoder/${name}/l0/kernel`] = [features, head.outputSize]
    shapes[`encoder/${name}/l0/bias`] = [head.outputSize]
  }
  shapes['decoder/l0/kernel'] = [config.latentSize, features]
  shapes['decoder/l0/bias'] = [features]
  for (const layer of decoder) {
    shapes[`${layer.name}kernel`] = [k, k, layer.outChannels, layer.inChannels]
    shapes[`${layer.name}bias`] = [layer.outChannels]
  }
  return shapes
}

/**
 * Draws the parameters of a VAE from a key: `Rng.split(key, 4)` gives the encoder torso's key, the mean head's, the
 * log-variance head's and the decoder's; the decoder's key splits into the linear layer's and one per transposed
 * convolution. Every layer is drawn like PyTorch's default (U(±1/√fan_in) for weights and biases; for a transposed
 * convolution fan_in = outChannels·k·k, as in `nn.ConvTranspose2d`). Same key and config, same parameters.
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(VaeConfigCodec, {})
 * const params = initVae(config)(Rng.key(0)) // { 'encoder/c0/kernel': [4, 4, 1, 32], …, 'decoder/t3/bias': [1] }
 * ```
 */
export const initVae =
  (config: VaeConfig) =>
  (key: Rng.Key): VaeParams => {
    const layout = layoutOf(config)
    const [torsoKey, meanKey, logVarKey, decoderKey] = Rng.split(key, 4)
    const decoderKeys = Rng.split(decoderKey, layout.decoder.length + 1)
    const k = config.kernelSize
    const params: Record<string, tf.Tensor> = {
      ...prefixParams('encoder/', initConvTorso(layout.torso)(torsoKey)),
      ...prefixParams('encoder/mean/', initMlp(layout.head)(meanKey)),
      ...prefixParams('encoder/logVar/', initMlp(layout.head)(logVarKey)),
      ...prefixParams('decoder/', initMlp(layout.decoderDense)(decoderKeys[0] as Rng.Key)),
    }
    for (const [j, layer] of layout.decoder.entries()) {
      const { kernel, bias } = initConvKernel(
        decoderKeys[j + 1] as Rng.Key,
        [k, k, layer.outChannels, layer.inChannels],
        {
          biasSize: layer.outChannels,
          fanIn: k * k * layer.outChannels,
          fanOut: k * k * layer.inChannels,
        },
      )
      params[`${layer.name}kernel`] = kernel
      params[`${layer.name}bias`] = bias
    }
    return params
  }

// ---------------------------------------------------------------------------------------------------------------
// forward

const encoderFeatures = (params: VaeParams, layout: VaeLayout, images: tf.Tensor4D): tf.Tensor2D =>
  applyConvTorso(layout.torso)(unprefixParams('encoder/', params), images)

/**
 * The encoder: the mean and log-variance of the latent Gaussian of each image, `[N, latentSize]` each.
 *
 * @param images - `[N, imageHeight, imageWidth, channels]`, values in [0, 1]
 * @throws Error when the images do not have the config's shape or parameters are missing
 *
 * @example
 * ```ts
 * const { mean, logVar } = tf.tidy(() => encodeVae(config)(params, images))
 * ```
 */
export const encodeVae = (config: VaeConfig) => {
  const layout = layoutOf(config)
  const head = applyMlp(layout.head)
  return (params: VaeParams, images: tf.Tensor4D): { readonly mean: tf.Tensor2D; readonly logVar: tf.Tensor2D } => {
    const features = encoderFeatures(params, layout, images)
    return {
      mean: head(unprefixParams('encoder/mean/', params), features),
      logVar: head(unprefixParams('encoder/logVar/', params), features),
    }
  }
}

/**
 * The latent mean of each image, `[N, latentSize]`: the deterministic state representation a policy acts on
 * (Kendall et al. 2018). Computes only the mean head.
 *
 * @example
 * ```ts
 * const state = tf.tidy(() => encodeMean(config)(params, images)) // [N, 32]
 * ```
 */
export const encodeMean = (config: VaeConfig) => {
  const layout = layoutOf(config)
  const head = applyMlp(layout.head)
  return (params: VaeParams, images: tf.Tensor4D): tf.Tensor2D =>
    head(unprefixParams('encoder/mean/', params), encoderFeatures(params, layout, images))
}

/**
 * The decoder's logits (before the sigmoid), `[N, imageHeight, imageWidth, channels]`.
 *
 * @example
 * ```ts
 * const logits = tf.tidy(() => decodeVaeLogits(config)(params, z))
 * ```
 */
export const decodeVaeLogits = (config: VaeConfig) => {
  const layout = layoutOf(config)
  const decoderDense = applyMlp(layout.decoderDense)
  return (params: VaeParams, z: tf.Tensor2D): tf.Tensor4D => {
    if (z.rank !== 2 || z.shape[1] !== config.latentSize)
      throw new Error(`decodeVae: expected latents [N, ${config.latentSize}], got [${z.shape}]`)
    const dense = decoderDense(unprefixParams('decoder/', params), z)
    let x = tf.reshape(dense, [z.shape[0], ...layout.featureShape]) as tf.Tensor4D
    for (const [j, layer] of layout.decoder.entries()) {
      const kernel = params[`${layer.name}kernel`]
      const bias = params[`${layer.name}bias`]
      if (kernel === undefined || bias === undefined)
        throw new Error(`decodeVae: parameters ${layer.name}… are missing`)
      x = conv2dTransposeLayer(x, kernel as tf.Tensor4D, bias as tf.Tensor1D, {
        strides: config.strides,
        padding: 'same',
        activation: j < layout.decoder.length - 1 ? 'relu' : 'linear',
      })
    }
    return x
  }
}

/**
 * The decoder: images `[N, imageHeight, imageWidth, channels]` with values in (0, 1) from latents `[N, latentSize]`.
 *
 * @example
 * ```ts
 * const images = tf.tidy(() => decodeVae(config)(params, tf.zeros([4, config.latentSize])))
 * ```
 */
export const decodeVae = (config: VaeConfig) => {
  const logits = decodeVaeLogits(config)
  return (params: VaeParams, z: tf.Tensor2D): tf.Tensor4D => tf.sigmoid(logits(params, z))
}

/**
 * The images decoded from their own latent means: what the VAE keeps of them.
 *
 * @example
 * ```ts
 * const reconstructions = tf.tidy(() => reconstructVae(config)(params, images))
 * ```
 */
export const reconstructVae = (config: VaeConfig) => {
  const encode = encodeMean(config)
  const decode = decodeVae(config)
  return (params: VaeParams, images: tf.Tensor4D): tf.Tensor4D => decode(params, encode(params, images))
}

// ---------------------------------------------------------------------------------------------------------------
// loss

/**
 * A reparameterised latent sample `z = mean + exp(logVar / 2) · ε`, with ε ~ N(0, I) drawn from `key`
 * (`Rng.normalF32`, row-major). Differentiable with respect to the mean and log-variance; the same key gives the
 * same ε.
 *
 * @example
 * ```ts
 * const z = tf.tidy(() => sampleLatent(mean, logVar, Rng.foldIn(key, step)))
 * ```
 */
export const sampleLatent = (mean: tf.Tensor2D, logVar: tf.Tensor2D, key: Rng.Key): tf.Tensor2D => {
  const [n, size] = mean.shape
  const epsilon = tf.tensor2d(Rng.normalF32(key, n * size), [n, size])
  return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), epsilon))
}

/**
 * KL(N(mean, exp(logVar)) ‖ N(0, I)) in closed form, `−½ Σ (1 + logVar − mean² − exp(logVar))` summed over the
 * latent values and averaged over the batch. Zero exactly when mean = 0 and logVar = 0, positive otherwise.
 *
 * @example
 * ```ts
 * gaussianKl(tf.zeros([2, 3]), tf.zeros([2, 3])) // 0
 * ```
 */
export const gaussianKl = (mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Scalar =>
  tf.mul(-0.5, tf.mean(tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar)), 1))) as tf.Scalar

/** Per-image reconstruction loss summed over pixels, averaged over the batch. */
const reconstructionLoss = (logits: tf.Tensor4D, images: tf.Tensor4D, kind: VaeConfig['reconstruction']): tf.Scalar => {
  const perPixel =
    kind === 'bce'
      ? // −x log σ(l) − (1 − x) log(1 − σ(l)) = max(l, 0) − l·x + log(1 + e^(−|l|)), stable for any logit
        tf.add(tf.sub(tf.relu(logits), tf.mul(logits, images)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))
      : tf.square(tf.sub(tf.sigmoid(logits), images))
  return tf.mean(tf.sum(perPixel, [1, 2, 3])) as tf.Scalar
}

/**
 * The VAE's loss on a batch of images (the negative ELBO when `beta` is 1): `total = reconstruction + beta · kl`,
 * where `reconstruction` is the binary cross-entropy (or squared error, `reconstruction: 'mse'`) summed over the
 * pixels of an image and `kl` the closed-form KL of its latent Gaussian to N(0, I) ({@link gaussianKl}), both
 * averaged over the batch, and the decoder sees the reparameterised sample drawn from `key`. A pure function of its
 * arguments; call it inside `tf.tidy`.
 *
 * @param images - `[N, imageHeight, imageWidth, channels]`, values in [0, 1]
 *
 * @example
 * ```ts
 * const { total } = tf.tidy(() => vaeLoss(config)(params, images, Rng.key(1)))
 * ```
 */
export const vaeLoss = (config: VaeConfig) => {
  const encode = encodeVae(config)
  const decodeLogits = decodeVaeLogits(config)
  return (
    params: VaeParams,
    images: tf.Tensor4D,
    key: Rng.Key,
  ): { readonly total: tf.Scalar; readonly reconstruction: tf.Scalar; readonly kl: tf.Scalar } => {
    const { mean, logVar } = encode(params, images)
    const logits = decodeLogits(params, sampleLatent(mean, logVar, key))
    const reconstruction = reconstructionLoss(logits, images, config.reconstruction)
    const kl = gaussianKl(mean, logVar)
    return { total: tf.add(reconstruction, tf.mul(kl, config.beta)) as tf.Scalar, reconstruction, kl }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// training

/**
 * A VAE's parameters and their Adam state; replaced, never mutated, by {@link vaeTrainStep}.
 *
 * @example
 * ```ts
 * const state: VaeTrainState = initVaeTrainState(config)(Rng.key(0)) // state.adam.step === 0
 * ```
 */
export interface VaeTrainState {
  readonly params: VaeParams
  readonly adam: AdamState
}

/**
 * Fresh parameters ({@link initVae}) and a fresh Adam state.
 *
 * @example
 * ```ts
 * let state = initVaeTrainState(config)(Rng.key(0))
 * ```
 */
export const initVaeTrainState = (config: VaeConfig) => {
  const init = initVae(config)
  return (key: Rng.Key): VaeTrainState => {
    const params = init(key)
    return { params, adam: initAdam(params) }
  }
}

/**
 * Disposes every tensor of a VAE train state.
 *
 * @example
 * ```ts
 * disposeVaeTrainState(previous)
 * ```
 */
export const disposeVaeTrainState = (state: VaeTrainState): void => {
  disposeParams(state.params)
  disposeAdam(state.adam)
}

/**
 * What a VAE training step reports: the batch's losses before the update, as numbers.
 *
 * @example
 * ```ts
 * const { metrics } = step(state, images, key)
 * console.log(metrics.total, metrics.reconstruction, metrics.kl)
 * ```
 */
export interface VaeMetrics {
  readonly total: number
  readonly reconstruction: number
  readonly kl: number
}

/**
 * One Adam step on {@link vaeLoss} (`learningRate` from the config). Pure, like every update in polyak: the images
 * and the state are only read, and the returned state holds new tensors only (Adam replaces every parameter and
 * moment), so the caller disposes the previous state with {@link disposeVaeTrainState} once it is done with it.
 * Metrics are plain numbers; nothing else is left to free.
 *
 * @returns `(state, images, key) => { state, metrics }`
 *
 * @example
 * ```ts
 * const step = vaeTrainStep(config)
 * let state = initVaeTrainState(config)(Rng.key(0))
 * for (let i = 0; i < 1000; i++) {
 *   const { state: next, metrics } = step(state, batchOfImages(i), Rng.foldIn(Rng.key(1), i))
 *   disposeVaeTrainState(state)
 *   state = next
 * }
 * ```
 */
export const vaeTrainStep = (config: VaeConfig) => {
  const adam = adamUpdate({ learningRate: config.learningRate })
  const loss = vaeLoss(config)
  return (
    state: VaeTrainState,
    images: tf.Tensor4D,
    key: Rng.Key,
  ): { readonly state: VaeTrainState; readonly metrics: VaeMetrics } => {
    let parts: tf.Tensor | undefined
    const next = tidy(() => {
      const { grads } = valueAndGradsOf((p) => {
        const { total, reconstruction, kl } = loss(p, images, key)
        parts = tf.keep(tf.stack([total, reconstruction, kl]))
        return total
      }, state.params)
      return adam(state.params, grads, state.adam)
    })
    const [total, reconstruction, kl] = (parts as tf.Tensor).dataSync()
    ;(parts as tf.Tensor).dispose()
    return {
      state: { params: next.params, adam: next.state },
      metrics: { total: total as number, reconstruction: reconstruction as number, kl: kl as number },
    }
  }
}
