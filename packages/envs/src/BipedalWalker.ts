/**
 * `BipedalWalker-v3` and `BipedalWalkerHardcore-v3`, Gymnasium 1.4's `box2d/bipedal_walker.py`, on the `planck`
 * physics engine (a JavaScript port of Box2D 2.x) instead of pybox2d: a two-legged walker with motors at its hips and
 * knees must walk to the far end of a 200-step terrain, grassy hills only, or (hardcore) with stumps, stairs and pits.
 *
 * World (one unit is 30 pixels, `SCALE = 30`): the terrain is 200 points `TERRAIN_STEP = 14/30` apart, joined by 199
 * static edge bodies (friction 2.5, category bit 1), flat at `TERRAIN_HEIGHT = 400/30/4` over the first 20 points.
 * Normal terrain: a random walk of the height (`velocity ← 0.8·velocity + 0.01·sign(TERRAIN_HEIGHT − y)
 * + U[−1, 1]/30`, `y ← y + velocity`), pausing for one point after every 5 to 9. Hardcore terrain: after every
 * grass stretch comes a stump (a 1- or 2-step square), a flight of 3 or 4 stairs 4 steps wide going up or down, or a
 * pit 4 steps deep between two wall boxes 3 or 4 steps apart, drawn as Gymnasium's generator draws them.
 * The walker: a hull (polygon `HULL_POLY`, density 5), two thighs (8 × 34 px, density 1) on hip joints with limits
 * [−0.8, 1.1] rad and two shins (6.4 × 34 px) on knee joints with limits [−1.6, −0.1] rad, all revolute with motors;
 * its fixtures (category 0x20) collide only with the terrain (mask 1). The hull gets a random horizontal force
 * U[−5, 5] at the start. Every step: set the motors, then `world.step(1/50, 180, 60)`, then cast 10 lidar rays.
 *
 * Action (4, Box(−1, 1)): hip 0, knee 0, hip 1, knee 1. Joint j's motor runs at speed `sign(a_j)·SPEED` (4 rad/s at
 * the hips, 6 at the knees) with maximum torque `80·clip(|a_j|, 0, 1)`: the action's sign picks the direction, its
 * magnitude the torque.
 *
 * Observation (float32, 24): hull angle, 2·ω/50, 0.3·vx·(600/30)/50, 0.3·vy·(400/30)/50; for each leg: hip angle,
 * hip speed/4, knee angle + 1, knee speed/6, and 1 or 0 for the shin touching the ground; then 10 lidar fractions,
 * rays of length 160/30 from the hull's origin at angles 0.15·i from straight down towards +x, each the fraction of
 * the ray up to the nearest terrain fixture (1 when it hits nothing).
 *
 * Reward: the change of `shaping = 130·x/30 − 5·|hull angle|` (x the hull's position), minus `0.00035·80·clip(|a_j|,
 * 0, 1)` per joint. The episode terminates with reward **−100** (replacing that step's reward) when the hull touches
 * the ground or x < 0, and terminates (keeping the step's reward) when x passes `(200 − 10)·14/30`. A reset runs one
 * step with action [0, 0, 0, 0] and returns its observation, as Gymnasium's. The registry truncates at 1600 steps
 * (2000 for hardcore); the task counts as solved at an average return of 300.
 *
 * Differences from Gymnasium + pybox2d: planck computes in float64 where Box2D uses float32, and its solver is a
 * port, not the same binary, so trajectories agree only qualitatively; the random numbers come from `Rng` keys, not
 * PCG64; every reset builds a new planck world (Gymnasium keeps one world and destroys the bodies); the motors wake
 * their bodies every step, as Box2D 2.3's setters do (planck's skip an unchanged value); Gymnasium's `TerrainMetadata`
 * reset option (replaying or designing a terrain) is not ported; rewards are float64 (Gymnasium under NumPy 2 rounds
 * the reward to float32 when the action is float32); the clouds are drawn but never simulated, and `render()` is a
 * simple rasteriser without anti-aliasing or the rotating lidar line. Kept quirks: the thighs start 16 px above
 * their hip anchors (Gymnasium subtracts the negative `LEG_DOWN`), so the joints pull the walker together on the
 * reset's step; any ending contact of a shin clears its ground flag, even while it still touches another edge. The
 * hull's and the legs' mass data are set by `correctMassData` (our polygon formulas, as planck ≥ 1.4.3 computes them;
 * planck 1.4.2's centres of mass are wrong).
 *
 * @module BipedalWalker
 */
import { Box, decodeOrThrow, type PartialInputOf, Rng, strictObject, withDefaults } from '@polyak/core'
import * as t from 'io-ts'
import { type Body, BoxShape, EdgeShape, PolygonShape, RevoluteJoint, World } from 'planck'
import type { Env } from './Env.js'
import {
  type Color,
  drawSegment,
  type Frame,
  fillPolygon,
  makeFrame,
  outlinePolygon,
  type PixelPoint,
} from './Frame.js'
import { correctMassData } from './planckMass.js'
import {
  type ContactScene,
  clip,
  contactBodies,
  drawBody,
  listenToContacts,
  makePlanckEpisodes,
} from './planckShared.js'

/** The id Gymnasium registers for the normal terrain. */
export const BIPEDAL_WALKER_ID = 'BipedalWalker-v3'

/** The id Gymnasium registers for the hardcore terrain (`BipedalWalker` with `hardcore=True`). */
export const BIPEDAL_WALKER_HARDCORE_ID = 'BipedalWalkerHardcore-v3'

/**
 * BipedalWalker's fixed constants (Gymnasium's names in camelCase). Lengths are in world units (metres) except
 * `hullPoly` and the viewport, which are in pixels; `terrainLength`, `terrainGrass` and `terrainStartpad` count
 * terrain points.
 *
 * @example
 * ```ts
 * BIPEDAL_WALKER_CONSTANTS.motorsTorque // 80
 * ```
 */
export const BIPEDAL_WALKER_CONSTANTS = Object.freeze({
  fps: 50,
  scale: 30,
  motorsTorque: 80,
  speedHip: 4,
  speedKnee: 6,
  lidarRange: 160 / 30,
  lidarRays: 10,
  initialRandom: 5,
  hullPoly: Object.freeze([
    [-30, 9],
    [6, 9],
    [34, 1],
    [34, -8],
    [-30, -8],
  ] as const),
  legDown: -8 / 30,
  legW: 8 / 30,
  legH: 34 / 30,
  viewportW: 600,
  viewportH: 400,
  terrainStep: 14 / 30,
  terrainLength: 200,
  terrainHeight: 400 / 30 / 4,
  terrainGrass: 10,
  terrainStartpad: 20,
  friction: 2.5,
  velocityIterations: 6 * 30,
  positionIterations: 2 * 30,
})

const {
  fps: FPS,
  scale: SCALE,
  motorsTorque: MOTORS_TORQUE,
  speedHip: SPEED_HIP,
  speedKnee: SPEED_KNEE,
  lidarRange: LIDAR_RANGE,
  lidarRays: LIDAR_RAYS,
  initialRandom: INITIAL_RANDOM,
  legDown: LEG_DOWN,
  legW: LEG_W,
  legH: LEG_H,
  viewportW: VIEWPORT_W,
  viewportH: VIEWPORT_H,
  terrainStep: TERRAIN_STEP,
  terrainLength: TERRAIN_LENGTH,
  terrainHeight: TERRAIN_HEIGHT,
  terrainGrass: TERRAIN_GRASS,
  terrainStartpad: TERRAIN_STARTPAD,
  friction: FRICTION,
} = BIPEDAL_WALKER_CONSTANTS

/** The hull's x beyond which the episode ends (the walker reached the last grass stretch). */
const FINISH_X = (TERRAIN_LENGTH - TERRAIN_GRASS) * TERRAIN_STEP

/**
 * The options of `makeBipedalWalker`: `hardcore` (default false), Gymnasium's constructor argument, for the terrain
 * with stumps, stairs and pits. Unknown keys are errors.
 *
 * @example
 * ```ts
 * decodeOrThrow(BipedalWalkerOptionsCodec, { hardcore: true }) // { hardcore: true }
 * ```
 */
export const BipedalWalkerOptionsCodec = withDefaults(
  strictObject(`${BIPEDAL_WALKER_ID} options`, { hardcore: t.boolean }),
  { hardcore: false },
)

/**
 * The decoded options of BipedalWalker-v3.
 *
 * @example
 * ```ts
 * const options: BipedalWalkerOptions = decodeOrThrow(BipedalWalkerOptionsCodec, {})
 * ```
 */
export type BipedalWalkerOptions = t.TypeOf<typeof BipedalWalkerOptionsCodec>

/** A point in world units. */
export type WorldPoint = readonly [number, number]

/**
 * A static obstacle of the hardcore terrain: a convex polygon (world units) and what it belongs to. A pit has two
 * boxes, its walls; a flight of stairs one box per stair.
 *
 * @example
 * ```ts
 * const stump: TerrainObstacle = { kind: 'stump', vertices: [[10, 4.4], [10.5, 4.4], [10.5, 4.9], [10, 4.9]] }
 * ```
 */
export interface TerrainObstacle {
  readonly kind: 'stump' | 'stairs' | 'pit'
  readonly vertices: readonly WorldPoint[]
}

/**
 * A generated terrain: the 200 surface points (`x[i] = i·TERRAIN_STEP`, heights `y[i]`) joined by edges, and the
 * obstacle polygons (empty for the normal terrain).
 *
 * @example
 * ```ts
 * const { x, y, obstacles } = generateBipedalWalkerTerrain(Rng.key(0), true)
 * ```
 */
export interface BipedalWalkerTerrain {
  readonly x: readonly number[]
  readonly y: readonly number[]
  readonly obstacles: readonly TerrainObstacle[]
}

/**
 * Reads uniform draws from a key in order, 64 per block (block b from `foldIn(key, b)`), as Gymnasium reads its
 * NumPy generator: `uniform(low, high)` and `integer(low, high)` (in [low, high), as NumPy's `integers`).
 */
const makeDraws = (key: Rng.Key) => {
  let block: Float64Array = new Float64Array(0)
  let blockIndex = 0
  let used = 0
  const next = (): number => {
    if (used >= block.length) {
      block = Rng.uniform(Rng.foldIn(key, blockIndex), 64)
      blockIndex += 1
      used = 0
    }
    const u = block[used] ?? 0
    used += 1
    return u
  }
  return {
    random: next,
    uniform: (low: number, high: number): number => low + next() * (high - low),
    integer: (low: number, high: number): number => low + Math.floor(next() * (high - low)),
  }
}

const GRASS = 0
const STUMP = 1
const STAIRS = 2
const PIT = 3
const STATE_COUNT = 4

/**
 * Gymnasium's terrain generator, state machine and draw order included (grass, then in hardcore mode a random
 * obstacle after every grass stretch), with draws from `key` instead of NumPy's generator. Pure: the same key and
 * mode give the same terrain.
 *
 * Kept quirks: a stump or the first step after an obstacle leaves the height unchanged; the height along stairs is
 * `original_y + ((width·steps − counter − height)/width)·height·TERRAIN_STEP`, Gymnasium's formula, so the surface
 * edges slope across the stair boxes.
 *
 * @example
 * ```ts
 * const terrain = generateBipedalWalkerTerrain(Rng.key(1), false)
 * terrain.x.length // 200
 * terrain.obstacles.length // 0
 * ```
 */
export const generateBipedalWalkerTerrain = (key: Rng.Key, hardcore: boolean): BipedalWalkerTerrain => {
  const draws = makeDraws(key)
  const xs: number[] = []
  const ys: number[] = []
  const obstacles: TerrainObstacle[] = []
  const box = (kind: TerrainObstacle['kind'], vertices: readonly WorldPoint[]): void => {
    obstacles.push({ kind, vertices })
  }
  let state = GRASS
  let velocity = 0
  let y: number = TERRAIN_HEIGHT
  let counter: number = TERRAIN_STARTPAD
  let oneshot = false
  let stairSteps = 0
  let stairWidth = 0
  let stairHeight = 0
  let originalY = 0
  for (let i = 0; i < TERRAIN_LENGTH; i++) {
    const x = i * TERRAIN_STEP
    xs.push(x)
    if (state === GRASS && !oneshot) {
      velocity = 0.8 * velocity + 0.01 * Math.sign(TERRAIN_HEIGHT - y)
      if (i > TERRAIN_STARTPAD) velocity += draws.uniform(-1, 1) / SCALE
      y += velocity
    } else if (state === PIT && oneshot) {
      counter = draws.integer(3, 5)
      const wall: WorldPoint[] = [
        [x, y],
        [x + TERRAIN_STEP, y],
        [x + TERRAIN_STEP, y - 4 * TERRAIN_STEP],
        [x, y - 4 * TERRAIN_STEP],
      ]
      box('pit', wall)
      box(
        'pit',
        wall.map(([px, py]) => [px + TERRAIN_STEP * counter, py] as const),
      )
      counter += 2
      originalY = y
    } else if (state === PIT && !oneshot) {
      y = originalY
      if (counter > 1) y -= 4 * TERRAIN_STEP
    } else if (state === STUMP && oneshot) {
      counter = draws.integer(1, 3)
      box('stump', [
        [x, y],
        [x + counter * TERRAIN_STEP, y],
        [x + counter * TERRAIN_STEP, y + counter * TERRAIN_STEP],
        [x, y + counter * TERRAIN_STEP],
      ])
    } else if (state === STAIRS && oneshot) {
      stairHeight = draws.random() > 0.5 ? 1 : -1
      stairWidth = draws.integer(4, 5)
      stairSteps = draws.integer(3, 5)
      originalY = y
      for (let s = 0; s < stairSteps; s++) {
        const x0 = x + s * stairWidth * TERRAIN_STEP
        const x1 = x + (1 + s) * stairWidth * TERRAIN_STEP
        const top = y + s * stairHeight * TERRAIN_STEP
        const bottom = y + (-1 + s * stairHeight) * TERRAIN_STEP
        box('stairs', [
          [x0, top],
          [x1, top],
          [x1, bottom],
          [x0, bottom],
        ])
      }
      counter = stairSteps * stairWidth
    } else if (state === STAIRS && !oneshot) {
      const s = stairSteps * stairWidth - counter - stairHeight
      const n = s / stairWidth
      y = originalY + n * stairHeight * TERRAIN_STEP
    }
    oneshot = false
    ys.push(y)
    counter -= 1
    if (counter === 0) {
      counter = draws.integer(TERRAIN_GRASS / 2, TERRAIN_GRASS)
      state = state === GRASS && hardcore ? draws.integer(1, STATE_COUNT) : GRASS
      oneshot = true
    }
  }
  return { x: xs, y: ys, obstacles }
}

/**
 * Gymnasium's shaping potential: `130·x/SCALE − 5·|angle|` for the hull's x position (world units) and angle. A
 * step's reward before the torque cost is the change of this value.
 *
 * @example
 * ```ts
 * bipedalWalkerShaping(30, 0) // 130: one viewport width of progress is worth 130
 * ```
 */
export const bipedalWalkerShaping = (x: number, angle: number): number => (130 * x) / SCALE - 5 * Math.abs(angle)

/** Where the hull is: its origin in world units and its angle in radians. */
export interface HullPose {
  readonly x: number
  readonly y: number
  readonly angle: number
}

/** Cloud polygons for render only, drawn from their own key as Gymnasium's `_generate_clouds` (10 of 5 vertices). */
const generateClouds = (key: Rng.Key): readonly (readonly WorldPoint[])[] => {
  const draws = makeDraws(key)
  return Array.from({ length: TERRAIN_LENGTH / 20 }, () => {
    const x = draws.uniform(0, TERRAIN_LENGTH) * TERRAIN_STEP
    const y = (VIEWPORT_H / SCALE) * (3 / 4)
    return Array.from({ length: 5 }, (_, a): WorldPoint => {
      const px = x + 15 * TERRAIN_STEP * Math.sin((3.14 * 2 * a) / 5) + draws.uniform(0, 5 * TERRAIN_STEP)
      const py = y + 5 * TERRAIN_STEP * Math.cos((3.14 * 2 * a) / 5) + draws.uniform(0, 5 * TERRAIN_STEP)
      return [px, py]
    })
  })
}

/** Everything one episode's physics needs; rebuilt by every reset (a fresh planck World). */
interface Scene extends ContactScene {
  readonly terrain: BipedalWalkerTerrain
  readonly clouds: readonly (readonly WorldPoint[])[]
  readonly hull: Body
  /** Thigh 0, shin 0, thigh 1, shin 1 (Gymnasium's `legs`). */
  readonly legs: readonly [Body, Body, Body, Body]
  /** Hip 0, knee 0, hip 1, knee 1 (Gymnasium's `joints`, the action's order). */
  readonly joints: readonly [RevoluteJoint, RevoluteJoint, RevoluteJoint, RevoluteJoint]
  /** Whether shin 0 and shin 1 touch the ground. */
  readonly groundContact: [boolean, boolean]
  readonly lidar: Float64Array
  gameOver: boolean
  prevShaping: number | undefined
}

const TERRAIN_CATEGORY = 0x0001
const WALKER_CATEGORY = 0x0020

const HULL_VERTICES = BIPEDAL_WALKER_CONSTANTS.hullPoly.map(([x, y]) => ({ x: x / SCALE, y: y / SCALE }))
const boxVertices = (hw: number, hh: number) => [
  { x: -hw, y: -hh },
  { x: hw, y: -hh },
  { x: hw, y: hh },
  { x: -hw, y: hh },
]
const THIGH_VERTICES = boxVertices(LEG_W / 2, LEG_H / 2)
const SHIN_VERTICES = boxVertices((0.8 * LEG_W) / 2, LEG_H / 2)

/** Builds the terrain and the walker in a fresh world, drawing the reset's randomness from `key`. */
const buildScene = (key: Rng.Key, hardcore: boolean): Scene => {
  const [terrainKey, cloudKey, forceKey] = Rng.split(key, 3)
  const world = new World({ gravity: { x: 0, y: -10 } })
  const terrain = generateBipedalWalkerTerrain(terrainKey, hardcore)

  // Obstacles keep Box2D's default filter (category 1, all masks): the walker collides with them, the lidar sees them.
  for (const obstacle of terrain.obstacles) {
    const body = world.createBody({ type: 'static' })
    body.createFixture(new PolygonShape(obstacle.vertices.map(([x, y]) => ({ x, y }))), { friction: FRICTION })
  }
  for (let i = 0; i < TERRAIN_LENGTH - 1; i++) {
    const body = world.createBody({ type: 'static' })
    const p1 = { x: terrain.x[i] ?? 0, y: terrain.y[i] ?? 0 }
    const p2 = { x: terrain.x[i + 1] ?? 0, y: terrain.y[i + 1] ?? 0 }
    body.createFixture(new EdgeShape(p1, p2), { friction: FRICTION, filterCategoryBits: TERRAIN_CATEGORY })
  }

  const initX = (TERRAIN_STEP * TERRAIN_STARTPAD) / 2
  const initY = TERRAIN_HEIGHT + 2 * LEG_H
  const hull = world.createBody({ type: 'dynamic', position: { x: initX, y: initY } })
  hull.createFixture(new PolygonShape(HULL_VERTICES), {
    density: 5,
    friction: 0.1,
    restitution: 0,
    filterCategoryBits: WALKER_CATEGORY,
    filterMaskBits: TERRAIN_CATEGORY,
  })
  correctMassData(hull)
  const force = Rng.uniform(forceKey, 1, -INITIAL_RANDOM, INITIAL_RANDOM)[0] ?? 0
  hull.applyForceToCenter({ x: force, y: 0 }, true)

  const legs: Body[] = []
  const joints: RevoluteJoint[] = []
  for (const i of [-1, 1]) {
    const thigh = world.createBody({
      type: 'dynamic',
      position: { x: initX, y: initY - LEG_H / 2 - LEG_DOWN },
      angle: i * 0.05,
    })
    thigh.createFixture(new BoxShape(LEG_W / 2, LEG_H / 2), {
      density: 1,
      restitution: 0,
      filterCategoryBits: WALKER_CATEGORY,
      filterMaskBits: TERRAIN_CATEGORY,
    })
    correctMassData(thigh)
    const hip = world.createJoint(
      new RevoluteJoint({
        bodyA: hull,
        bodyB: thigh,
        localAnchorA: { x: 0, y: LEG_DOWN },
        localAnchorB: { x: 0, y: LEG_H / 2 },
        // Box2D's revoluteJointDef defaults to 0; planck would otherwise take the bodies' current angle difference.
        referenceAngle: 0,
        enableMotor: true,
        enableLimit: true,
        maxMotorTorque: MOTORS_TORQUE,
        motorSpeed: i,
        lowerAngle: -0.8,
        upperAngle: 1.1,
      }),
    )
    const shin = world.createBody({
      type: 'dynamic',
      position: { x: initX, y: initY - (LEG_H * 3) / 2 - LEG_DOWN },
      angle: i * 0.05,
    })
    shin.createFixture(new BoxShape((0.8 * LEG_W) / 2, LEG_H / 2), {
      density: 1,
      restitution: 0,
      filterCategoryBits: WALKER_CATEGORY,
      filterMaskBits: TERRAIN_CATEGORY,
    })
    correctMassData(shin)
    const knee = world.createJoint(
      new RevoluteJoint({
        bodyA: thigh,
        bodyB: shin,
        localAnchorA: { x: 0, y: -LEG_H / 2 },
        localAnchorB: { x: 0, y: LEG_H / 2 },
        referenceAngle: 0,
        enableMotor: true,
        enableLimit: true,
        maxMotorTorque: MOTORS_TORQUE,
        motorSpeed: 1,
        lowerAngle: -1.6,
        upperAngle: -0.1,
      }),
    )
    if (hip === null || knee === null) throw new Error(`${BIPEDAL_WALKER_ID}: planck refused a joint`)
    legs.push(thigh, shin)
    joints.push(hip, knee)
  }

  const shins = [legs[1], legs[3]]
  const groundContact: [boolean, boolean] = [false, false]
  const scene: Scene = {
    world,
    terrain,
    clouds: generateClouds(cloudKey),
    hull,
    legs: legs as unknown as Scene['legs'],
    joints: joints as unknown as Scene['joints'],
    groundContact,
    lidar: new Float64Array(LIDAR_RAYS).fill(1),
    gameOver: false,
    prevShaping: undefined,
    onBegin: (contact) => {
      const [a, b] = contactBodies(contact)
      if (a === hull || b === hull) scene.gameOver = true
      for (let k = 0; k < 2; k++) if (a === shins[k] || b === shins[k]) groundContact[k] = true
    },
    onEnd: (contact) => {
      const [a, b] = contactBodies(contact)
      for (let k = 0; k < 2; k++) if (a === shins[k] || b === shins[k]) groundContact[k] = false
    },
  }
  listenToContacts(scene)
  return scene
}

/** Casts the 10 lidar rays from the hull's origin; each keeps the nearest hit on a category-1 fixture. */
const castLidar = (scene: Scene): void => {
  const p1 = scene.hull.getPosition()
  const from = { x: p1.x, y: p1.y }
  for (let i = 0; i < LIDAR_RAYS; i++) {
    let fraction = 1
    const to = {
      x: from.x + Math.sin((1.5 * i) / 10) * LIDAR_RANGE,
      y: from.y - Math.cos((1.5 * i) / 10) * LIDAR_RANGE,
    }
    scene.world.rayCast(from, to, (fixture, _point, _normal, hit) => {
      if ((fixture.getFilterCategoryBits() & TERRAIN_CATEGORY) === 0) return -1
      fraction = hit
      return hit
    })
    scene.lidar[i] = fraction
  }
}

/** The float64 state of Gymnasium's `step` (its observation before rounding to float32). */
const observeScene = (scene: Scene): number[] => {
  const { hull, joints, groundContact } = scene
  const vel = hull.getLinearVelocity()
  const [hip0, knee0, hip1, knee1] = joints
  return [
    hull.getAngle(),
    (2 * hull.getAngularVelocity()) / FPS,
    (0.3 * vel.x * (VIEWPORT_W / SCALE)) / FPS,
    (0.3 * vel.y * (VIEWPORT_H / SCALE)) / FPS,
    hip0.getJointAngle(),
    hip0.getJointSpeed() / SPEED_HIP,
    knee0.getJointAngle() + 1,
    knee0.getJointSpeed() / SPEED_KNEE,
    groundContact[0] ? 1 : 0,
    hip1.getJointAngle(),
    hip1.getJointSpeed() / SPEED_HIP,
    knee1.getJointAngle() + 1,
    knee1.getJointSpeed() / SPEED_KNEE,
    groundContact[1] ? 1 : 0,
    ...scene.lidar,
  ]
}

/** One Gymnasium step of the scene for a validated action; returns the float64 state, the reward and termination. */
const stepScene = (
  scene: Scene,
  action: ArrayLike<number>,
): { readonly state: readonly number[]; readonly reward: number; readonly terminated: boolean } => {
  let torqueCost = 0
  for (let j = 0; j < 4; j++) {
    const joint = scene.joints[j] as RevoluteJoint
    const a = action[j] ?? Number.NaN
    const throttle = clip(Math.abs(a), 0, 1)
    joint.setMotorSpeed((j % 2 === 0 ? SPEED_HIP : SPEED_KNEE) * Math.sign(a))
    joint.setMaxMotorTorque(MOTORS_TORQUE * throttle)
    // Box2D 2.3's setters always wake both bodies; planck's return early when the value is unchanged.
    joint.getBodyA().setAwake(true)
    joint.getBodyB().setAwake(true)
    torqueCost += 0.00035 * MOTORS_TORQUE * throttle
  }

  scene.world.step(1 / FPS, BIPEDAL_WALKER_CONSTANTS.velocityIterations, BIPEDAL_WALKER_CONSTANTS.positionIterations)
  castLidar(scene)

  const state = observeScene(scene)
  const x = scene.hull.getPosition().x
  const shaping = bipedalWalkerShaping(x, state[0] ?? Number.NaN)
  let reward = scene.prevShaping === undefined ? 0 : shaping - scene.prevShaping
  scene.prevShaping = shaping
  reward -= torqueCost

  let terminated = false
  if (scene.gameOver || x < 0) {
    reward = -100
    terminated = true
  }
  if (x > FINISH_X) terminated = true
  return { state, reward, terminated }
}

// ---------------------------------------------------------------------------------------------------------------
// rendering

const SKY: Color = [215, 215, 255]
const CLOUD: Color = [255, 255, 255]
const GROUND: Color = [102, 153, 76]
const OBSTACLE_FILL: Color = [255, 255, 255]
const OBSTACLE_OUTLINE: Color = [153, 153, 153]
const HULL_FILL: Color = [127, 51, 229]
const HULL_OUTLINE: Color = [76, 76, 127]
const FLAG: Color = [230, 51, 0]
const BLACK: Color = [0, 0, 0]
/** Gymnasium's leg colours for i = −1 (leg 0) and i = +1 (leg 1): `(153 − 25i, 76 − 25i, 127 − 25i)` and darker. */
const LEG_COLORS: readonly (readonly [Color, Color])[] = [-1, 1].map((i) => [
  [153 - i * 25, 76 - i * 25, 127 - i * 25],
  [102 - i * 25, 51 - i * 25, 76 - i * 25],
])

/**
 * Draws the scene as Gymnasium lays it out, on a 600 × 400 frame that follows the hull (its left edge at
 * `max(0, x − 600/30/5)`): a lilac sky with white clouds (half-speed parallax), the green ground under the
 * alternating-green terrain edges, the white obstacles, the legs and the purple hull, and the start flag.
 */
const renderScene = (scene: Scene): Frame => {
  const frame = makeFrame(VIEWPORT_W, VIEWPORT_H, SKY)
  const scroll = Math.max(0, scene.hull.getPosition().x - VIEWPORT_W / SCALE / 5)
  const toPixel = (x: number, y: number): PixelPoint => [(x - scroll) * SCALE, VIEWPORT_H - y * SCALE]
  const right = scroll + VIEWPORT_W / SCALE

  for (const cloud of scene.clouds) {
    const points = cloud.map(([x, y]): PixelPoint => [x * SCALE - (scroll * SCALE) / 2, VIEWPORT_H - y * SCALE])
    fillPolygon(frame, points, CLOUD)
  }
  const { x: xs, y: ys } = scene.terrain
  for (let i = 0; i < xs.length - 1; i++) {
    const x0 = xs[i] ?? 0
    const x1 = xs[i + 1] ?? 0
    if (x1 < scroll || x0 > right) continue
    const y0 = ys[i] ?? 0
    const y1 = ys[i + 1] ?? 0
    fillPolygon(frame, [toPixel(x0, y0), toPixel(x1, y1), toPixel(x1, 0), toPixel(x0, 0)], GROUND)
  }
  for (let i = 0; i < xs.length - 1; i++) {
    const x0 = xs[i] ?? 0
    const x1 = xs[i + 1] ?? 0
    if (x1 < scroll || x0 > right) continue
    const [px0, py0] = toPixel(x0, ys[i] ?? 0)
    const [px1, py1] = toPixel(x1, ys[i + 1] ?? 0)
    drawSegment(frame, px0, py0, px1, py1, 1, [76, i % 2 === 0 ? 255 : 204, 76])
  }
  for (const obstacle of scene.terrain.obstacles) {
    const points = obstacle.vertices.map(([x, y]) => toPixel(x, y))
    fillPolygon(frame, points, OBSTACLE_FILL)
    outlinePolygon(frame, points, OBSTACLE_OUTLINE)
  }
  scene.legs.forEach((leg, k) => {
    const [fill, outline] = LEG_COLORS[k < 2 ? 0 : 1] as readonly [Color, Color]
    drawBody(frame, leg, k % 2 === 0 ? THIGH_VERTICES : SHIN_VERTICES, toPixel, fill, outline)
  })
  drawBody(frame, scene.hull, HULL_VERTICES, toPixel, HULL_FILL, HULL_OUTLINE)

  const [flagX, flagY1] = toPixel(TERRAIN_STEP * 3, TERRAIN_HEIGHT)
  const flagY2 = flagY1 - 50
  drawSegment(frame, flagX, flagY1, flagX, flagY2, 1, BLACK)
  const cloth: PixelPoint[] = [
    [flagX, flagY2],
    [flagX, flagY2 + 10],
    [flagX + 25, flagY2 + 5],
  ]
  fillPolygon(frame, cloth, FLAG)
  outlinePolygon(frame, cloth, BLACK)
  return frame
}

// ---------------------------------------------------------------------------------------------------------------
// the env

/**
 * A BipedalWalker env: an {@link Env} that also reports the size of its planck world (199 terrain edges, the
 * obstacles, the hull and four leg segments after a reset: 204 for normal terrain; 0 before the first reset and
 * after `close`), where the hull is, and the episode's terrain, for tests and diagnostics.
 *
 * @example
 * ```ts
 * const env = makeBipedalWalker()
 * env.reset({ seed: 0 })
 * env.physicsBodyCount() // 204
 * env.hullPose().x // 4.67: the middle of the start pad
 * ```
 */
export interface BipedalWalkerEnv extends Env {
  /** The number of bodies in the current planck world. */
  readonly physicsBodyCount: () => number
  /** The hull's position (world units) and angle now. */
  readonly hullPose: () => HullPose
  /** The current episode's terrain. */
  readonly terrain: () => BipedalWalkerTerrain
}

/** Gymnasium's reset takes no options but `metadata` (not ported); here any key is an error (no silent typos). */
const resetOptionsCodec = (id: string) => strictObject(`${id} reset options`, {})

/**
 * Makes a BipedalWalker-v3 env (or with `hardcore: true` the BipedalWalkerHardcore-v3 terrain) without a time limit;
 * use `makeEnv('BipedalWalker-v3')` or `makeEnv('BipedalWalkerHardcore-v3')` for Gymnasium's 1600 or 2000 steps.
 * Observation space: Gymnasium's declared bounds [±π, ±5, ±5, ±5, then per leg ±π, ±5, ±π, ±5, [0, 5], then
 * 10 × ±1], not enforced: the hull angle is not wrapped and passes ±π when a walker flips over before its hull lands
 * (2 steps in 60 000 random ones), as in Gymnasium. Action space Box(−1, 1, (4,)).
 *
 * Randomness: as every env of this package, `reset({ seed })` restarts the key stream at `Rng.key(seed)` and each reset
 * splits off its own key (an env never seeded starts from seed 0); a reset's key is split into the terrain, cloud and
 * initial-force keys. Each reset builds a fresh planck world (after destroying the old one's bodies), so an episode
 * depends only on its reset key, not on earlier episodes.
 *
 * @throws ConfigError when an option is invalid, naming it
 *
 * @example
 * ```ts
 * const env = makeBipedalWalker({ hardcore: true })
 * const { observation } = env.reset({ seed: 0 })
 * const { reward, terminated } = env.step([0.5, -0.5, 0.5, -0.5])
 * ```
 */
export const makeBipedalWalker = (options: PartialInputOf<typeof BipedalWalkerOptionsCodec> = {}): BipedalWalkerEnv => {
  const { hardcore } = decodeOrThrow(BipedalWalkerOptionsCodec, options, `options of ${BIPEDAL_WALKER_ID}`)
  const id = hardcore ? BIPEDAL_WALKER_HARDCORE_ID : BIPEDAL_WALKER_ID
  const leg = [Math.PI, 5, Math.PI, 5]
  const observationSpace = Box.box(
    [-Math.PI, -5, -5, -5, ...leg.map((v) => -v), -0, ...leg.map((v) => -v), -0, ...new Array<number>(10).fill(-1)],
    [Math.PI, 5, 5, 5, ...leg, 5, ...leg, 5, ...new Array<number>(10).fill(1)],
  )
  const actionSpace = Box.box(-1, 1, [4])
  const episodes = makePlanckEpisodes({
    id,
    actionSpace,
    resetOptionsCodec: resetOptionsCodec(id),
    buildScene: (key) => buildScene(key, hardcore),
    stepScene,
    idleAction: [0, 0, 0, 0],
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
    hullPose: () => {
      const { hull } = episodes.currentScene('hullPose')
      const p = hull.getPosition()
      return { x: p.x, y: p.y, angle: hull.getAngle() }
    },
    terrain: () => episodes.currentScene('terrain').terrain,
  }
}
