/**
 * The MuJoCo envs (Gymnasium v5) on the official MuJoCo WebAssembly build (`@mujoco/mujoco`): `await loadMujoco()`
 * once, then `makeEnv('HalfCheetah-v5')` or the `make…` factories.
 *
 * @module mujoco
 */
export * from './Ant.js'
export * from './HalfCheetah.js'
export * from './Hopper.js'
export * from './InvertedDoublePendulum.js'
export * from './InvertedPendulum.js'
export * from './MujocoEnv.js'
export * from './Reacher.js'
export * from './render.js'
export * from './runtime.js'
export * from './simulation.js'
export * from './Walker2d.js'
