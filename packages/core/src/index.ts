/**
 * `@polyak/core`: the vocabulary every polyak package speaks.
 *
 * @packageDocumentation
 */
export * from './Adam.js'
export * from './backend.js'
export * from './Batch.js'
export * from './dense.js'
export * from './Mlp.js'
export * from './Params.js'
export * from './tidy.js'
export * from './polyakUpdate.js'
export * as Rng from './Rng.js'
export * from './Transition.js'
