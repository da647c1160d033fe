/**
 * What the planck (Box2D) envs, LunarLander and BipedalWalker, share (internal, not re-exported): a scene that
 * listens to its world's contacts and is torn down as Gymnasium's `_destroy`, the body drawing of their renderers, and
 * the episode lifecycle around a scene (seeded resets that build a fresh world and run one idle step, checked steps,
 * `render`, `close` and the body count for leak checks).
 *
 * @module planckShared
 */
import type { BoxSpec, Rng } from '@polyak/core'
import type * as t from 'io-ts'
import type { Body, Contact, World } from 'planck'
import { checkAction, type ResetOptions, type ResetResult, type StepResult } from './Env.js'
import { type Color, type Frame, fillPolygon, outlinePolygon, type PixelPoint } from './Frame.js'
import { decodeResetOptions } from './makeEnvFromStateMachine.js'
import { checkSeed, makeResetKeyStream } from './resetKeys.js'

/** A planck world with the contact listeners its scene registered (see {@link listenToContacts}). */
export interface ContactScene {
  readonly world: World
  readonly onBegin: (contact: Contact) => void
  readonly onEnd: (contact: Contact) => void
}

/**
 * Registers the scene's `onBegin` and `onEnd` as the world's begin- and end-contact listeners.
 *
 * @example
 * ```ts
 * listenToContacts(scene) // at the end of building the scene
 * ```
 */
export const listenToContacts = (scene: ContactScene): void => {
  scene.world.on('begin-contact', scene.onBegin)
  scene.world.on('end-contact', scene.onEnd)
}

/**
 * Removes the listeners and destroys every body (joints and contacts go with them), as Gymnasium's `_destroy`.
 *
 * @example
 * ```ts
 * destroyScene(scene) // scene.world.getBodyCount() === 0
 * ```
 */
export const destroyScene = (scene: ContactScene): void => {
  scene.world.off('begin-contact', scene.onBegin)
  scene.world.off('end-contact', scene.onEnd)
  for (let body = scene.world.getBodyList(); body !== null; ) {
    const next = body.getNext()
    scene.world.destroyBody(body)
    body = next
  }
}

/**
 * The two bodies of a contact (fixture A's, then fixture B's).
 *
 * @example
 * ```ts
 * const [a, b] = contactBodies(contact)
 * if (a === hull || b === hull) gameOver = true
 * ```
 */
export const contactBodies = (contact: Contact): readonly [Body, Body] => [
  contact.getFixtureA().getBody(),
  contact.getFixtureB().getBody(),
]

/**
 * Draws a body's polygon (its local `vertices` in world units, placed by the body's pose and mapped to pixels by
 * `toPixel`): filled with `fill`, outlined 1 pixel wide in `outline`.
 *
 * @example
 * ```ts
 * drawBody(frame, lander, LANDER_VERTICES, toPixel, [128, 102, 230], [77, 77, 128])
 * ```
 */
export const drawBody = (
  frame: Frame,
  body: Body,
  vertices: readonly { readonly x: number; readonly y: number }[],
  toPixel: (x: number, y: number) => PixelPoint,
  fill: Color,
  outline: Color,
): void => {
  const points = vertices.map((v) => {
    const p = body.getWorldPoint(v)
    return toPixel(p.x, p.y)
  })
  fillPolygon(frame, points, fill)
  outlinePolygon(frame, points, outline)
}

/**
 * x clipped to [low, high] (NaN stays NaN).
 *
 * @example
 * ```ts
 * clip(1.5, -1, 1) // 1
 * ```
 */
export const clip = (x: number, low: number, high: number): number => Math.min(Math.max(x, low), high)

/** What one step of a planck scene returns: the float64 state, the reward and whether the episode terminated. */
export interface PlanckStepOutcome {
  readonly state: readonly number[]
  readonly reward: number
  readonly terminated: boolean
}

/**
 * The episode lifecycle of a planck env, with Gymnasium's rules and this package's seeding:
 * - `reset` checks the seed and the reset options (with `resetOptionsCodec`), takes the reset's key from the env's key
 *   stream, destroys the old scene, builds a fresh one from the key and runs one step with `idleAction`, whose state
 *   is the reset's observation (as Gymnasium's reset does);
 * - `step` checks the action against `actionSpace` (before changing anything) and steps the scene;
 * - observations are the float32 roundings of the float64 states; `info` is always `{}` and `truncated` `false`;
 * - `render`, `step` and `currentScene` throw before the first reset and after `close`, which destroys the scene.
 *
 * @example
 * ```ts
 * const episodes = makePlanckEpisodes({ id, actionSpace, resetOptionsCodec, buildScene, stepScene, idleAction: [0, 0], renderScene })
 * episodes.reset({ seed: 0 })
 * ```
 */
export const makePlanckEpisodes = <S extends ContactScene, R>(definition: {
  readonly id: string
  readonly actionSpace: BoxSpec
  readonly resetOptionsCodec: t.Type<R, unknown, unknown>
  readonly buildScene: (key: Rng.Key) => S
  readonly stepScene: (scene: S, action: ArrayLike<number>) => PlanckStepOutcome
  readonly idleAction: readonly number[]
  readonly renderScene: (scene: S) => Frame
}) => {
  const { id, actionSpace } = definition
  const keys = makeResetKeyStream()
  let scene: S | undefined
  let closed = false

  const currentScene = (method: string): S => {
    if (closed) throw new Error(`${id}: ${method}() called after close()`)
    if (scene === undefined) throw new Error(`${id}: call reset() before ${method}()`)
    return scene
  }

  const reset = (resetOptions: ResetOptions = {}): ResetResult => {
    if (closed) throw new Error(`${id}: reset() called after close()`)
    checkSeed(id, resetOptions.seed)
    decodeResetOptions(id, definition.resetOptionsCodec, resetOptions.options)
    const resetKey = keys.next(resetOptions.seed)
    if (scene !== undefined) destroyScene(scene)
    scene = definition.buildScene(resetKey)
    const { state } = definition.stepScene(scene, definition.idleAction)
    return { observation: Float32Array.from(state), info: {} }
  }

  const step = (action: ArrayLike<number>): StepResult => {
    const current = currentScene('step')
    checkAction(id, actionSpace, action)
    const { state, reward, terminated } = definition.stepScene(current, action)
    return { observation: Float32Array.from(state), reward, terminated, truncated: false, info: {} }
  }

  return {
    /** The current scene; throws before the first reset and after `close`, naming `method`. */
    currentScene,
    reset,
    step,
    render: (): Frame => definition.renderScene(currentScene('render')),
    close: (): void => {
      if (scene !== undefined) destroyScene(scene)
      scene = undefined
      closed = true
    },
    /** The number of bodies in the current planck world (0 before the first reset and after `close`). */
    physicsBodyCount: (): number => scene?.world.getBodyCount() ?? 0,
  }
}
