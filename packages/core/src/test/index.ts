/**
 * `@polyak/core/test`: fast-check arbitraries for property tests of your own components: Box specs and values in
 * them, transitions, batches, parameter records and Adam configs. Needs `fast-check` (an optional peer
 * dependency: install it next to your test runner).
 *
 * @example
 * ```ts
 * import { validateBatch } from '@polyak/core'
 * import { arbitraryBatch } from '@polyak/core/test'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbitraryBatch({ observationSize: 3, actionSize: 1 }), (batch) => validateBatch(batch)))
 * ```
 *
 * @packageDocumentation
 */
export * from './arbitraries.js'
