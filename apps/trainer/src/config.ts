import {
  NonNegativeInt,
  PositiveInt,
  PositiveNumber,
  strictObject,
  UnitIntervalOpenClosed,
  withDefaults,
} from '@polyak/core'
import * as t from 'io-ts'

/** The backends a user can ask for on the command line. */
const BackendCodec = t.keyof(
  { auto: null, wasm: null, cpu: null, tensorflow: null },
  'one of auto, wasm, cpu, tensorflow',
)

/** Config of the embedded demo job; every field has a default. */
export const DemoConfigCodec = withDefaults(
  strictObject('DemoConfig', {
    /** Gradient steps to run. */
    steps: PositiveInt,
    /** Seed of every random draw (network init, data). */
    seed: NonNegativeInt,
    /** tfjs backend: `auto` picks the fastest that loads. */
    backend: BackendCodec,
    /** Samples per gradient step. */
    batchSize: PositiveInt,
    /** Adam step size. */
    learningRate: PositiveNumber,
    /** Polyak averaging coefficient of the target network. */
    tau: UnitIntervalOpenClosed,
    /** Hidden layer widths of the critic. */
    hiddenSizes: t.array(PositiveInt),
    /** Print a progress line every this many steps. */
    logEvery: PositiveInt,
    /** Where run folders are written. */
    outDir: t.string,
  }),
  {
    steps: 400,
    seed: 1,
    backend: 'auto',
    batchSize: 256,
    learningRate: 1e-3,
    tau: 0.005,
    hiddenSizes: [256, 256],
    logEvery: 50,
    outDir: 'runs',
  },
)

/** A decoded demo config. */
export type DemoConfig = t.TypeOf<typeof DemoConfigCodec>
