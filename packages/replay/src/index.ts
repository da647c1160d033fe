/**
 * `@polyak/replay`: replay memories — preallocated typed-array storage, uniform and prioritized samplers (Schaul et
 * al., 2016), n-step returns (Barth-Maron et al., 2018), the `remember` operator and DrQ's random-shift augmentation of image
 * batches.
 *
 * @packageDocumentation
 */
export * from './accumulateNSteps.js'
export * from './linearSchedule.js'
export * from './loadReplay.js'
export * from './nStep.js'
export * from './PrioritizedSampler.js'
export * from './ReplaySnapshot.js'
export * from './ReplayStorage.js'
export * from './randomShift.js'
export * from './remember.js'
export * as SumTree from './SumTree.js'
export * from './saveReplay.js'
export * from './uniformSampler.js'
