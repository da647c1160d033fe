/**
 * `@polyak/noise`: exploration noise for deterministic policy gradients: Gaussian and clipped Gaussian noise, TD3
 * target policy smoothing, the Ornstein-Uhlenbeck process, a generic {@link NoiseProcess} with its RxJS operator
 * {@link addNoise}, parameter space noise and factorised NoisyNet layers.
 *
 * @packageDocumentation
 */
export type { ActionEvent, NoisyActionEvent } from './ActionEvent.js'
export { type AddNoiseOptions, addNoise } from './addNoise.js'
export { clippedGaussianNoise, gaussianNoise } from './gaussianNoise.js'
export {
  type GaussianState,
  gaussianProcess,
  type NoiseProcess,
  type OuProcessOptions,
  type OuProcessState,
  ouProcess,
} from './NoiseProcess.js'
export { initNoisyDense, type NoisyDenseParams, noisyDense } from './NoisyDense.js'
export {
  DDPG_OU_PARAMS,
  type DecodedOuParams,
  decayedSigma,
  initOu,
  type OuParams,
  OuParamsCodec,
  type OuState,
  ouStep,
  resetOu,
} from './OrnsteinUhlenbeck.js'
export { type AdaptOptions, actionDistance, adaptStddev, perturbParams } from './parameterNoise.js'
export { type Bound, type SmoothingOptions, smoothTargetActions } from './smoothTargetActions.js'
