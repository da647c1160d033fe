/**
 * `@polyak/core`: the vocabulary every polyak package speaks.
 *
 * @packageDocumentation
 */
export * from './Adam.js'
export * from './Batch.js'
export type { BoxSpec } from './BoxSpec.js'
export * as Box from './BoxSpec.js'
export { BoxSpecCodec } from './BoxSpec.js'
export * from './backend.js'
export * from './checkpoint.js'
export * from './codecs.js'
export * from './convLayers.js'
export * from './dense.js'
export * from './gradients.js'
export * from './native.js'
export * from './Params.js'
export * from './perturbWithin.js'
export * from './polyakUpdate.js'
export * as Rng from './Rng.js'
export * from './Transition.js'
export * from './tdOps.js'
export * from './tidy.js'
