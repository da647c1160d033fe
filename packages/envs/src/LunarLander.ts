/**
 * `LunarLanderContinuous-v3`, Gymnasium 1.4's `box2d/lunar_lander.py` with `continuous=True`, on the `planck` physics
 * engine (a JavaScript port of Box2D 2.x) instead of pybox2d: land a lander on the pad between the two flags with a
 * main engine and two lateral engines.
 *
 * World (one unit is 30 pixels, `SCALE = 30`): a 20 × 13.33 viewport; the ground is 10 edges between 11 points of
 * heights `0.33·(h[i−1] + h[i] + h[i+1])` from 12 heights h ~ U[0, H/2] (index −1 is the last height, as Python's),
 * flat at `H/4` around the pad between x = 8 and x = 12. The lander (polygon `LANDER_POLY`, density 5) starts at the
 * top centre with a random force U[−1000, 1000]² on its centre; its legs hang from revolute joints with spring motors.
 * Every step: wind and turbulence (if enabled, while no leg touches the ground), then the engines, then
 * `world.step(1/50, 180, 60)`.
 *
 * Action [main, lateral], clipped to [−1, 1]:
 * - main engine off for `main <= 0`, else throttle `m_power = (main + 1) / 2` ∈ (0.5, 1];
 * - lateral engines off for `|lateral| <= 0.5`, else throttle `s_power = |lateral|` ∈ (0.5, 1] on the side given by
 *   its sign;
 * - each step draws two dispersions U[−1, 1]/30 **whatever the action** (as Gymnasium does), which move the points
 *   and directions of the impulses.
 *
 * Observation (float32, 8): x and y of the lander relative to the pad, normalised by half the viewport; vx·10/50 and
 * vy·(20/3)/50; the angle; 20·ω/50; and 1 or 0 for each leg touching the ground.
 *
 * Reward: the change of `shaping = −100·‖(x, y)‖ − 100·‖(vx, vy)‖ − 100·|angle| + 10·(leg₀ + leg₁)` (computed on the
 * float64 observation), minus 0.3·m_power and 0.03·s_power. The episode terminates with reward **−100** (replacing
 * that step's reward) when the lander body touches the ground or |x| ≥ 1, and with **+100** when the lander body has
 * gone to sleep (come to rest). A reset runs one step with action [0, 0] and returns its observation, as Gymnasium's.
 * The registry's TimeLimit truncates at 1000 steps; the task counts as solved at an average return of 200.
 *
 * Differences from Gymnasium + pybox2d: planck computes in float64 where Box2D uses float32, and its solver is a port,
 * not the same binary, so trajectories agree only qualitatively; the random numbers come from `Rng` keys, not PCG64;
 * the exhaust particles (decoration in Gymnasium, never touching the lander) are not simulated; `render()` is a simple
 * rasteriser without anti-aliasing. The legs' joints set `referenceAngle: 0` explicitly (Box2D's default; planck
 * would otherwise take the legs' initial ±0.05 rad tilt). The lander's and the legs' mass data are set by
 * `correctMassData` (our polygon formulas, as planck ≥ 1.4.3 computes them; planck 1.4.2's centres of mass are wrong).
 *
 * @module LunarLander
 */
import {
  Box,
  decodeOrThrow,
  FiniteNumber,
  numberInRange,
  type PartialInputOf,
  Rng,
  strictObject,
  withDefaults,
} from '@polyak/core'
import * as t from 'io-ts'
import { type Body, BoxShape, EdgeShape, PolygonShape, RevoluteJoint, World } from 'planck'
import type { Env } from './Env.js'
import { type Color, drawSegment, type Frame, fillPolygon, makeFrame, type PixelPoint } from './Frame.js'
import { correctMassData } from './planckMass.js'
import {
  type ContactScene,
  clip,
  contactBodies,
  drawBody,
  listenToContacts,
  makePlanckEpisodes,
} from './planckShared.js'

/** The id Gymnasium registers. */
export const LUNAR_LANDER_CONTINUOUS_ID = 'LunarLanderContinuous-v3'

/**
 * LunarLander's fixed constants (Gymnasium's names in camelCase; lengths in pixels unless noted).
 *
 * @example
 * ```ts
 * LUNAR_LANDER_CONSTANTS.mainEnginePower // 13
 * ```
 */
export const LUNAR_LANDER_CONSTANTS = Object.freeze({
  fps: 50,
  scale: 30,
  mainEnginePower: 13,
  sideEnginePower: 0.6,
  initialRandom: 1000,
  landerPoly: Object.freeze([
    [-14, 17],
    [-17, 0],
    [-17, -10],
    [17, -10],
    [17, 0],
    [14, 17],
  ] as const),
  legAway: 20,
  legDown: 18,
  legW: 2,
  legH: 8,
  legSpringTorque: 40,
  sideEngineHeight: 14,
  sideEngineAway: 12,
  mainEngineYLocation: 4,
  viewportW: 600,
  viewportH: 400,
  chunks: 11,
  velocityIterations: 6 * 30,
  positionIterations: 2 * 30,
})

const {
  fps: FPS,
  scale: SCALE,
  mainEnginePower: MAIN_ENGINE_POWER,
  sideEnginePower: SIDE_ENGINE_POWER,
  initialRandom: INITIAL_RANDOM,
  legAway: LEG_AWAY,
  legDown: LEG_DOWN,
  legW: LEG_W,
  legH: LEG_H,
  legSpringTorque: LEG_SPRING_TORQUE,
  sideEngineHeight: SIDE_ENGINE_HEIGHT,
  sideEngineAway: SIDE_ENGINE_AWAY,
  mainEngineYLocation: MAIN_ENGINE_Y_LOCATION,
  viewportW: VIEWPORT_W,
  viewportH: VIEWPORT_H,
  chunks: CHUNKS,
} = LUNAR_LANDER_CONSTANTS

/** The viewport in world units. */
const W = VIEWPORT_W / SCALE
const H = VIEWPORT_H / SCALE

/** Gravity must lie in (−12, 0), as Gymnasium asserts. */
const Gravity = numberInRange(-12, 0, { lowOpen: true, highOpen: true })

/**
 * The options of `makeLunarLanderContinuous` (Gymnasium's constructor arguments in camelCase): `gravity` (default −10,
 * in (−12, 0)), `enableWind` (default false), `windPower` (default 15) and `turbulencePower` (default 1.5). Gymnasium
 * only warns when wind power leaves [0, 20] or turbulence leaves [0, 2]; any finite value is accepted here too.
 * Unknown keys are errors.
 *
 * @example
 * ```ts
 * decodeOrThrow(LunarLanderOptionsCodec, { enableWind: true })
 * // { gravity: -10, enableWind: true, windPower: 15, turbulencePower: 1.5 }
 * ```
 */
export const LunarLanderOptionsCodec = withDefaults(
  strictObject(`${LUNAR_LANDER_CONTINUOUS_ID} options`, {
    gravity: Gravity,
    enableWind: t.boolean,
    windPower: FiniteNumber,
    turbulencePower: FiniteNumber,
  }),
  { gravity: -10, enableWind: false, windPower: 15, turbulencePower: 1.5 },
)

/**
 * The decoded options of LunarLanderContinuous-v3.
 *
 * @example
 * ```ts
 * const options: LunarLanderOptions = decodeOrThrow(LunarLanderOptionsCodec, {})
 * ```
 */
export type LunarLanderOptions = t.TypeOf<typeof LunarLanderOptionsCodec>

/** Gymnasium's reset ignores its options; here any key is an error (no silent typos). */
const LunarLanderResetOptions = strictObject(`${LUNAR_LANDER_CONTINUOUS_ID} reset options`, {})

/**
 * Gymnasium's shaping potential of an (unrounded or float32) observation `s`:
 * `−100·√(s0² + s1²) − 100·√(s2² + s3²) − 100·|s4| + 10·s6 + 10·s7`. A step's reward before fuel costs is the change
 * of this value.
 *
 * @example
 * ```ts
 * lunarLanderShaping([0, 0, 0, 0, 0, 0, 1, 1]) // 20: at rest on the pad
 * ```
 */
export const lunarLanderShaping = (s: ArrayLike<number>): number => {
  const v = (i: number): number => s[i] ?? Number.NaN
  return (
    -100 * Math.sqrt(v(0) * v(0) + v(1) * v(1)) -
    100 * Math.sqrt(v(2) * v(2) + v(3) * v(3)) -
    100 * Math.abs(v(4)) +
    10 * v(6) +
    10 * v(7)
  )
}

/** Everything one episode's physics needs; rebuilt by every reset (a fresh planck World, as Gymnasium's fix #728). */
interface Scene extends ContactScene {
  readonly moon: Body
  readonly lander: Body
  readonly legs: readonly [Body, Body]
  readonly legContact: [boolean, boolean]
  gameOver: boolean
  readonly helipadY: number
  readonly chunkX: readonly number[]
  readonly smoothY: readonly number[]
  windIdx: number
  torqueIdx: number
  /** Key of the per-step dispersion draws: step `n` of the episode (the reset's step is 0) uses `foldIn(key, n)`. */
  readonly dispersionKey: Rng.Key
  stepIndex: number
  prevShaping: number | undefined
}

const GROUND_CATEGORY = 0x0001
const LANDER_CATEGORY = 0x0010
const LEG_CATEGORY = 0x0020

const LANDER_VERTICES = LUNAR_LANDER_CONSTANTS.landerPoly.map(([x, y]) => ({ x: x / SCALE, y: y / SCALE }))
const LEG_VERTICES = [
  { x: -LEG_W / SCALE, y: -LEG_H / SCALE },
  { x: LEG_W / SCALE, y: -LEG_H / SCALE },
  { x: LEG_W / SCALE, y: LEG_H / SCALE },
  { x: -LEG_W / SCALE, y: LEG_H / SCALE },
]

/** Builds the terrain, the lander and its legs in a fresh world, draws the reset's randomness from `key`. */
const buildScene = (key: Rng.Key, options: LunarLanderOptions): Scene => {
  const [terrainKey, forceKey, windKey, dispersionKey] = Rng.split(key, 4)
  const world = new World({ gravity: { x: 0, y: options.gravity } })

  // Terrain: CHUNKS + 1 random heights, flattened around the pad, smoothed over 3 neighbours (index −1 wraps to the
  // last height, as Python's negative indexing does).
  const height = Array.from(Rng.uniform(terrainKey, CHUNKS + 1, 0, H / 2))
  const chunkX = Array.from({ length: CHUNKS }, (_, i) => (W / (CHUNKS - 1)) * i)
  const helipadY = H / 4
  const half = Math.floor(CHUNKS / 2)
  for (let i = half - 2; i <= half + 2; i++) height[i] = helipadY
  const h = (i: number): number => height[(i + height.length) % height.length] ?? 0
  const smoothY = Array.from({ length: CHUNKS }, (_, i) => 0.33 * (h(i - 1) + h(i) + h(i + 1)))

  const moon = world.createBody({ type: 'static' })
  moon.createFixture(new EdgeShape({ x: 0, y: 0 }, { x: W, y: 0 }), { density: 0, friction: 0.2 })
  for (let i = 0; i < CHUNKS - 1; i++) {
    const p1 = { x: chunkX[i] ?? 0, y: smoothY[i] ?? 0 }
    const p2 = { x: chunkX[i + 1] ?? 0, y: smoothY[i + 1] ?? 0 }
    moon.createFixture(new EdgeShape(p1, p2), { density: 0, friction: 0.1 })
  }

  const initialX = VIEWPORT_W / SCALE / 2
  const initialY = VIEWPORT_H / SCALE
  const lander = world.createBody({ type: 'dynamic', position: { x: initialX, y: initialY }, angle: 0 })
  lander.createFixture(new PolygonShape(LANDER_VERTICES), {
    density: 5,
    friction: 0.1,
    restitution: 0,
    filterCategoryBits: LANDER_CATEGORY,
    filterMaskBits: GROUND_CATEGORY,
  })
  correctMassData(lander)
  const force = Rng.uniform(forceKey, 2, -INITIAL_RANDOM, INITIAL_RANDOM)
  lander.applyForceToCenter({ x: force[0] ?? 0, y: force[1] ?? 0 }, true)

  // Wind phases: integers in [−9999, 9999), as NumPy's integers(−9999, 9999); drawn from their own key.
  const phases = Rng.integers(windKey, 2, 2 * 9999)

  const legs = ([-1, 1] as const).map((i) => {
    const leg = world.createBody({
      type: 'dynamic',
      position: { x: initialX - (i * LEG_AWAY) / SCALE, y: initialY },
      angle: i * 0.05,
    })
    leg.createFixture(new BoxShape(LEG_W / SCALE, LEG_H / SCALE), {
      density: 1,
      friction: 0.2,
      restitution: 0,
      filterCategoryBits: LEG_CATEGORY,
      filterMaskBits: GROUND_CATEGORY,
    })
    correctMassData(leg)
    world.createJoint(
      new RevoluteJoint({
        bodyA: lander,
        bodyB: leg,
        localAnchorA: { x: 0, y: 0 },
        localAnchorB: { x: (i * LEG_AWAY) / SCALE, y: LEG_DOWN / SCALE },
        // Box2D's revoluteJointDef defaults to 0; planck would otherwise take the bodies' current angle difference.
        referenceAngle: 0,
        enableMotor: true,
        enableLimit: true,
        maxMotorTorque: LEG_SPRING_TORQUE,
        motorSpeed: 0.3 * i,
        lowerAngle: i === -1 ? 0.9 - 0.5 : -0.9,
        upperAngle: i === -1 ? 0.9 : -0.9 + 0.5,
      }),
    )
    return leg
  }) as unknown as readonly [Body, Body]

  const legContact: [boolean, boolean] = [false, false]
  const scene: Scene = {
    world,
    moon,
    lander,
    legs,
    legContact,
    gameOver: false,
    helipadY,
    chunkX,
    smoothY,
    windIdx: (phases[0] ?? 0) - 9999,
    torqueIdx: (phases[1] ?? 0) - 9999,
    dispersionKey,
    stepIndex: 0,
    prevShaping: undefined,
    onBegin: (contact) => {
      const [a, b] = contactBodies(contact)
      if (a === lander || b === lander) scene.gameOver = true
      for (let i = 0; i < 2; i++) if (a === legs[i] || b === legs[i]) legContact[i] = true
    },
    onEnd: (contact) => {
      const [a, b] = contactBodies(contact)
      for (let i = 0; i < 2; i++) if (a === legs[i] || b === legs[i]) legContact[i] = false
    },
  }
  listenToContacts(scene)
  return scene
}

/** tanh(sin(0.02·k) + sin(0.01·π·k)): Gymnasium's never-periodic wind profile. */
const windProfile = (k: number): number => Math.tanh(Math.sin(0.02 * k) + Math.sin(Math.PI * 0.01 * k))

/** The float64 state of Gymnasium's `step` (its observation before rounding to float32). */
const observeScene = (scene: Scene): readonly number[] => {
  const pos = scene.lander.getPosition()
  const vel = scene.lander.getLinearVelocity()
  return [
    (pos.x - VIEWPORT_W / SCALE / 2) / (VIEWPORT_W / SCALE / 2),
    (pos.y - (scene.helipadY + LEG_DOWN / SCALE)) / (VIEWPORT_H / SCALE / 2),
    (vel.x * (VIEWPORT_W / SCALE / 2)) / FPS,
    (vel.y * (VIEWPORT_H / SCALE / 2)) / FPS,
    scene.lander.getAngle(),
    (20 * scene.lander.getAngularVelocity()) / FPS,
    scene.legContact[0] ? 1 : 0,
    scene.legContact[1] ? 1 : 0,
  ]
}

/** One Gymnasium step of the scene for a validated action; returns the float64 state, the reward and termination. */
const stepScene = (
  scene: Scene,
  action: ArrayLike<number>,
  options: LunarLanderOptions,
): { readonly state: readonly number[]; readonly reward: number; readonly terminated: boolean } => {
  const { lander } = scene
  if (options.enableWind && !(scene.legContact[0] || scene.legContact[1])) {
    lander.applyForceToCenter({ x: windProfile(scene.windIdx) * options.windPower, y: 0 }, true)
    scene.windIdx += 1
    lander.applyTorque(windProfile(scene.torqueIdx) * options.turbulencePower, true)
    scene.torqueIdx += 1
  }

  // Gymnasium (v3) clips the action and casts it to float64.
  const main = clip(action[0] ?? Number.NaN, -1, 1)
  const lateral = clip(action[1] ?? Number.NaN, -1, 1)

  const angle = lander.getAngle()
  const tip0 = Math.sin(angle)
  const tip1 = Math.cos(angle)
  const side0 = -tip1
  const side1 = tip0
  // Drawn every step, fired or not, exactly as Gymnasium draws them.
  const u = Rng.uniform(Rng.foldIn(scene.dispersionKey, scene.stepIndex), 2, -1, 1)
  scene.stepIndex += 1
  const d0 = (u[0] ?? 0) / SCALE
  const d1 = (u[1] ?? 0) / SCALE
  const position = lander.getPosition()
  const px = position.x
  const py = position.y

  let mPower = 0
  if (main > 0) {
    mPower = (clip(main, 0, 1) + 1) * 0.5
    const ox = tip0 * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * d0) + side0 * d1
    const oy = -tip1 * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * d0) - side1 * d1
    lander.applyLinearImpulse(
      { x: -ox * MAIN_ENGINE_POWER * mPower, y: -oy * MAIN_ENGINE_POWER * mPower },
      { x: px + ox, y: py + oy },
      true,
    )
  }

  let sPower = 0
  if (Math.abs(lateral) > 0.5) {
    const direction = Math.sign(lateral)
    sPower = clip(Math.abs(lateral), 0.5, 1)
    const ox = tip0 * d0 + side0 * (3 * d1 + (direction * SIDE_ENGINE_AWAY) / SCALE)
    const oy = -tip1 * d0 - side1 * (3 * d1 + (direction * SIDE_ENGINE_AWAY) / SCALE)
    // Gymnasium's 17 (not SIDE_ENGINE_HEIGHT) along the tip's x, kept for fidelity.
    const impulsePos = { x: px + ox - (tip0 * 17) / SCALE, y: py + oy + (tip1 * SIDE_ENGINE_HEIGHT) / SCALE }
    lander.applyLinearImpulse(
      { x: -ox * SIDE_ENGINE_POWER * sPower, y: -oy * SIDE_ENGINE_POWER * sPower },
      impulsePos,
      true,
    )
  }

  scene.world.step(1 / FPS, LUNAR_LANDER_CONSTANTS.velocityIterations, LUNAR_LANDER_CONSTANTS.positionIterations)

  const state = observeScene(scene)
  const shaping = lunarLanderShaping(state)
  let reward = scene.prevShaping === undefined ? 0 : shaping - scene.prevShaping
  scene.prevShaping = shaping
  reward -= mPower * 0.3
  reward -= sPower * 0.03

  let terminated = false
  if (scene.gameOver || Math.abs(state[0] ?? 0) >= 1) {
    terminated = true
    reward = -100
  }
  if (!lander.isAwake()) {
    terminated = true
    reward = 100
  }
  return { state, reward, terminated }
}

// ---------------------------------------------------------------------------------------------------------------
// rendering

const BLACK: Color = [0, 0, 0]
const WHITE: Color = [255, 255, 255]
const LANDER_FILL: Color = [128, 102, 230]
const LANDER_OUTLINE: Color = [77, 77, 128]
const FLAG_YELLOW: Color = [204, 204, 0]

/** World coordinates to pixels: x·SCALE to the right, y·SCALE up from the bottom edge. */
const toPixel = (x: number, y: number): PixelPoint => [x * SCALE, VIEWPORT_H - y * SCALE]

/**
 * Draws the scene as Gymnasium does (without particles or anti-aliasing) on a 600 × 400 frame: a white ground under
 * a black sky, the lander and its legs filled in lilac with dark outlines, and the two flags of the pad.
 */
const renderScene = (scene: Scene): Frame => {
  const frame = makeFrame(VIEWPORT_W, VIEWPORT_H, WHITE)
  for (let i = 0; i < CHUNKS - 1; i++) {
    const x1 = scene.chunkX[i] ?? 0
    const x2 = scene.chunkX[i + 1] ?? 0
    const sky = [
      toPixel(x1, scene.smoothY[i] ?? 0),
      toPixel(x2, scene.smoothY[i + 1] ?? 0),
      toPixel(x2, H),
      toPixel(x1, H),
    ]
    fillPolygon(frame, sky, BLACK)
  }
  drawBody(frame, scene.lander, LANDER_VERTICES, toPixel, LANDER_FILL, LANDER_OUTLINE)
  for (const leg of scene.legs) drawBody(frame, leg, LEG_VERTICES, toPixel, LANDER_FILL, LANDER_OUTLINE)
  for (const x of [scene.chunkX[Math.floor(CHUNKS / 2) - 1] ?? 0, scene.chunkX[Math.floor(CHUNKS / 2) + 1] ?? 0]) {
    const [fx, flagY1] = toPixel(x, scene.helipadY)
    const flagY2 = flagY1 - 50
    drawSegment(frame, fx, flagY1, fx, flagY2, 1, WHITE)
    fillPolygon(
      frame,
      [
        [fx, flagY2],
        [fx, flagY2 + 10],
        [fx + 25, flagY2 + 5],
      ],
      FLAG_YELLOW,
    )
  }
  return frame
}

// ---------------------------------------------------------------------------------------------------------------
// the env

/**
 * A LunarLander env: an {@link Env} that also reports how many planck bodies its current world holds (4 after a
 * reset: ground, lander, two legs; 0 before the first reset and after `close`), for leak checks.
 *
 * @example
 * ```ts
 * const env = makeLunarLanderContinuous()
 * env.reset({ seed: 0 })
 * env.physicsBodyCount() // 4
 * ```
 */
export interface LunarLanderEnv extends Env {
  /** The number of bodies in the current planck world. */
  readonly physicsBodyCount: () => number
}

/**
 * Makes a LunarLanderContinuous-v3 env without a time limit (use `makeEnv('LunarLanderContinuous-v3')` for
 * Gymnasium's 1000-step limit). Observation space Box([−2.5, −2.5, −10, −10, −2π, −10, 0, 0],
 * [2.5, 2.5, 10, 10, 2π, 10, 1, 1]) (Gymnasium's v3 bounds, not enforced), action space Box(−1, 1, (2,)).
 *
 * Randomness: as every env of this package, `reset({ seed })` restarts the key stream at `Rng.key(seed)` and each reset
 * splits off its own key (an env never seeded starts from seed 0); a reset's key is split into the terrain, the
 * initial force, the wind phases and the per-step dispersion keys. Each reset builds a fresh planck world (after
 * destroying the old one's bodies), so an episode depends only on its reset key, not on earlier episodes.
 *
 * @throws ConfigError when an option is invalid, naming it (`gravity: expected a number in (-12, 0), got 3`)
 *
 * @example
 * ```ts
 * const env = makeLunarLanderContinuous({ enableWind: true })
 * const { observation } = env.reset({ seed: 0 })
 * const { reward, terminated } = env.step([1, 0]) // main engine at full throttle
 * ```
 */
export const makeLunarLanderContinuous = (
  options: PartialInputOf<typeof LunarLanderOptionsCodec> = {},
): LunarLanderEnv => {
  const decoded = decodeOrThrow(LunarLanderOptionsCodec, options, `options of ${LUNAR_LANDER_CONTINUOUS_ID}`)
  const id = LUNAR_LANDER_CONTINUOUS_ID
  const observationSpace = Box.box(
    [-2.5, -2.5, -10, -10, -2 * Math.PI, -10, -0, -0],
    [2.5, 2.5, 10, 10, 2 * Math.PI, 10, 1, 1],
  )
  const actionSpace = Box.box(-1, 1, [2])
  const episodes = makePlanckEpisodes({
    id,
    actionSpace,
    resetOptionsCodec: LunarLanderResetOptions,
    buildScene: (key) => buildScene(key, decoded),
    stepScene: (scene, action) => stepScene(scene, action, decoded),
    idleAction: [0, 0],
    renderScene,
  })

  return {
    id,
    spec: undefined,
    observationSpace,
    actionSpace,
    reset: episodes.reset,
    step: episodes.step,
    render: episodes.render,
    close: episodes.close,
    physicsBodyCount: episodes.physicsBodyCount,
  }
}
