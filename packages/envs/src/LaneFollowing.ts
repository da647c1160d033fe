/**
 * `LaneFollowing-v0`: a lane-following driving simulator with a forward camera, after the simulation task of
 * "Learning to Drive in a Day" (Kendall et al. 2018), written from scratch (not the paper's Unreal Engine simulator).
 *
 * Road: every reset draws a road from its key: a centre line of segments 20–50 m long with a curvature of random sign
 * and magnitude in `curvatureRange` (m⁻¹; the curvature ramps linearly over the first 5 m of a segment, so the heading
 * is smooth), the first 20 m straight; a lane width in `laneWidthRange` (m); solid white edge lines (0.2 m), a dashed
 * white centre line (0.15 m wide, 3 m dashes every 6 m); per-episode road and grass shades and a world-fixed noise
 * texture (0.5 m cells). The road is sampled every 0.25 m up to `roadLength` + 60 m.
 *
 * Car: a kinematic bicycle (wheelbase 2 m), dt = 0.1 s. Action Box(−1, 1, (2,)), clipped:
 * - `action[0]` steering: δ = 0.5 rad · a₀ (positive turns left, counter-clockwise), applied at once;
 * - `action[1]` speed set-point: v* = maxSpeed · (a₁ + 1) / 2 km/h, in [0, maxSpeed]; the speed follows it to first
 *   order with a 1 s time constant: v ← v + (v* − v)(1 − e^(−dt/1 s)).
 * Then x += v cos ψ dt, y += v sin ψ dt, ψ += v tan δ / 2 m · dt.
 *
 * Observation (float32, flattened): the camera image, `cameraHeight` rows of `cameraWidth` pixels, top row first, one
 * value per pixel in [0, 1] (greyscale, luminance 0.299 R + 0.587 G + 0.114 B) or three (RGB, HWC); then the speed as a
 * fraction of `maxSpeed` in [0, 1] and the steering δ / 0.5 rad in [−1, 1]. Size H·W·C + 2 (64·64 + 2 = 4098 by
 * default). The camera sits 1.3 m above the car's centre, looking forward, pitched 0.26 rad down, with a 90°
 * horizontal field of view and square pixels; the ground is rendered up to 60 m, beyond it and above the horizon is
 * haze/sky. Each pixel row is one perspective projection onto the ground plane; along a row the lane's lateral
 * offset is linear in the pixel (plus a curvature correction), and the markings are anti-aliased by their analytic
 * coverage of the pixel's lateral interval.
 *
 * Reward: the progress along the centre line in the step (arc length of the car's projection onto the centre line),
 * so driving backwards costs and driving across earns nothing. Terminated (`info.disengagement`) when the car's centre
 * leaves the lane (|lateral offset| > width / 2) or falls 2 m behind the furthest progress reached; truncated
 * (`info.endOfRoad`) when the progress reaches `roadLength`. The registry adds a 1000-step limit.
 *
 * @module LaneFollowing
 */
import {
  Box,
  type BoxSpec,
  ConfigError,
  decodeOrThrow,
  NonNegativeNumber,
  type PartialInputOf,
  PositiveInt,
  PositiveNumber,
  Rng,
  strictObject,
  withDefaults,
} from '@polyak/core'
import * as t from 'io-ts'
import { checkAction, type Env, type ResetOptions, type ResetResult, type StepResult } from './Env.js'
import { type Color, drawSegment, type Frame, fillPolygon, makeFrame, type PixelPoint } from './Frame.js'
import { decodeResetOptions } from './makeEnvFromStateMachine.js'
import { checkSeed, makeResetKeyStream } from './resetKeys.js'

/**
 * The id of the lane-following env.
 *
 * @example
 * ```ts
 * const env = makeEnv(LANE_FOLLOWING_ID) // 'LaneFollowing-v0'
 * ```
 */
export const LANE_FOLLOWING_ID = 'LaneFollowing-v0'

/**
 * The fixed constants of LaneFollowing-v0 (SI units, radians).
 *
 * @example
 * ```ts
 * LANE_FOLLOWING_CONSTANTS.dt // 0.1
 * ```
 */
export const LANE_FOLLOWING_CONSTANTS = Object.freeze({
  dt: 0.1,
  wheelbase: 2,
  maxSteering: 0.5,
  speedTimeConstant: 1,
  cameraHeight: 1.3,
  cameraPitch: 0.26,
  horizontalFov: Math.PI / 2,
  drawDistance: 60,
  sampleSpacing: 0.25,
  straightStart: 20,
  startProgress: 10,
  backwardLimit: 2,
  edgeLineWidth: 0.2,
  centreLineWidth: 0.15,
  dashLength: 3,
  dashPeriod: 6,
})

const Range = t.tuple([PositiveNumber, PositiveNumber])
const NonNegativeRange = t.tuple([NonNegativeNumber, NonNegativeNumber])

/**
 * The options of `makeLaneFollowing` and of `makeEnv('LaneFollowing-v0', options)`: `cameraWidth`, `cameraHeight`
 * (pixels, default 64 × 64), `color` (`'grey'` or `'rgb'`, default grey), `laneWidthRange` (m, default [3, 4]),
 * `curvatureRange` (absolute curvature in m⁻¹, default [0, 0.03], i.e. radii down to 33 m), `maxSpeed` (km/h,
 * default 10, the paper's limit) and `roadLength` (m, default 500). Unknown keys are errors; a range needs min ≤ max.
 *
 * @example
 * ```ts
 * decodeOrThrow(LaneFollowingOptionsCodec, { curvatureRange: [0, 0] }).cameraWidth // 64
 * ```
 */
export const LaneFollowingOptionsCodec = withDefaults(
  strictObject(`${LANE_FOLLOWING_ID} options`, {
    cameraWidth: PositiveInt,
    cameraHeight: PositiveInt,
    color: t.keyof({ grey: null, rgb: null }),
    laneWidthRange: Range,
    curvatureRange: NonNegativeRange,
    maxSpeed: PositiveNumber,
    roadLength: PositiveNumber,
  }),
  {
    cameraWidth: 64,
    cameraHeight: 64,
    color: 'grey' as 'grey' | 'rgb',
    laneWidthRange: [3, 4] as [number, number],
    curvatureRange: [0, 0.03] as [number, number],
    maxSpeed: 10,
    roadLength: 500,
  },
)

/**
 * The decoded options of LaneFollowing-v0.
 *
 * @example
 * ```ts
 * const options: LaneFollowingOptions = decodeOrThrow(LaneFollowingOptionsCodec, {})
 * ```
 */
export type LaneFollowingOptions = t.TypeOf<typeof LaneFollowingOptionsCodec>

/**
 * A road: the centre line sampled every 0.25 m (positions, headings, curvatures, arc lengths), its lane width and the
 * shades of its textures (RGB in [0, 1]).
 *
 * @example
 * ```ts
 * const road = makeRoad(Rng.key(0), decodeOrThrow(LaneFollowingOptionsCodec, {}))
 * road.laneWidth // somewhere in [3, 4]
 * ```
 */
export interface Road {
  readonly xs: Float64Array
  readonly ys: Float64Array
  readonly headings: Float64Array
  readonly curvatures: Float64Array
  /** Arc length of each sample (sample i lies at i · 0.25 m). */
  readonly arc: Float64Array
  readonly laneWidth: number
  readonly roadShade: Color
  readonly grassShade: Color
  /** A per-episode seed of the noise texture. */
  readonly textureSeed: number
}

/**
 * The car's pose and the lane quantities the tests' scripted drivers read.
 *
 * @example
 * ```ts
 * const { lateralOffset, headingError } = env.pose()
 * ```
 */
export interface LaneFollowingPose {
  readonly x: number
  readonly y: number
  /** Heading ψ in radians, counter-clockwise from +x. */
  readonly heading: number
  /** Speed in m/s. */
  readonly speed: number
  /** Steering angle δ in radians. */
  readonly steering: number
  /** Arc length of the car's projection onto the centre line, m. */
  readonly progress: number
  /** Signed distance from the centre line, positive to the left, m. */
  readonly lateralOffset: number
  /** Heading minus the centre line's heading, wrapped to (−π, π]. */
  readonly headingError: number
  /** The centre line's curvature at the projection, m⁻¹ (positive turns left). */
  readonly laneCurvature: number
  readonly laneWidth: number
}

/**
 * A LaneFollowing-v0 env with two extras: `pose()` (the true pose, for tests and scripted drivers) and
 * `cameraFrame()` (the camera image as an RGB frame, for pictures).
 *
 * @example
 * ```ts
 * const env = makeLaneFollowing()
 * env.reset({ seed: 0 })
 * env.cameraFrame() // 64 × 64 RGB
 * ```
 */
export interface LaneFollowingEnv extends Env {
  readonly pose: () => LaneFollowingPose
  readonly cameraFrame: () => Frame
}

const C = LANE_FOLLOWING_CONSTANTS
const SEGMENT_LENGTH: readonly [number, number] = [20, 50]
const RAMP = 5
const ROAD_MARGIN = 60

const checkRange = (name: string, range: readonly [number, number], issues: string[]): void => {
  if (range[0] > range[1]) issues.push(`${name}: expected min ≤ max, got [${range[0]}, ${range[1]}]`)
}

/**
 * Draws a road from a key (see the module comment for the distributions).
 *
 * @example
 * ```ts
 * const road = makeRoad(Rng.key(1), decodeOrThrow(LaneFollowingOptionsCodec, { curvatureRange: [0, 0] }))
 * road.ys.every((y) => y === 0) // true: a straight road along +x
 * ```
 */
export const makeRoad = (key: Rng.Key, options: LaneFollowingOptions): Road => {
  const [segmentKey, shapeKey] = Rng.split(key, 2)
  const n = Math.ceil((options.roadLength + ROAD_MARGIN) / C.sampleSpacing) + 1
  const maxSegments = Math.ceil((options.roadLength + ROAD_MARGIN) / SEGMENT_LENGTH[0]) + 1
  const u = Rng.uniform(segmentKey, 3 * maxSegments)
  const v = Rng.uniform(shapeKey, 5)
  const xs = new Float64Array(n)
  const ys = new Float64Array(n)
  const headings = new Float64Array(n)
  const curvatures = new Float64Array(n)
  const arc = new Float64Array(n)
  const [kappaMin, kappaMax] = options.curvatureRange
  let segment = -1
  let segmentEnd = C.straightStart
  let segmentStart = 0
  let previousKappa = 0
  let kappa = 0
  for (let i = 0; i < n; i++) {
    const s = i * C.sampleSpacing
    while (s >= segmentEnd) {
      segment++
      segmentStart = segmentEnd
      segmentEnd += SEGMENT_LENGTH[0] + (SEGMENT_LENGTH[1] - SEGMENT_LENGTH[0]) * (u[3 * segment] ?? 0)
      previousKappa = kappa
      const magnitude = kappaMin + (kappaMax - kappaMin) * (u[3 * segment + 1] ?? 0)
      kappa = (u[3 * segment + 2] ?? 0) < 0.5 ? -magnitude : magnitude
    }
    const ramp = segment < 0 ? 1 : Math.min(1, (s - segmentStart) / RAMP)
    const curvature = segment < 0 ? 0 : previousKappa + (kappa - previousKappa) * ramp
    curvatures[i] = curvature
    arc[i] = s
    if (i > 0) {
      const h0 = headings[i - 1] ?? 0
      const h1 = h0 + 0.5 * ((curvatures[i - 1] ?? 0) + curvature) * C.sampleSpacing
      headings[i] = h1
      const mid = 0.5 * (h0 + h1)
      xs[i] = (xs[i - 1] ?? 0) + Math.cos(mid) * C.sampleSpacing
      ys[i] = (ys[i - 1] ?? 0) + Math.sin(mid) * C.sampleSpacing
    }
  }
  const [wMin, wMax] = options.laneWidthRange
  const r = 0.32 + 0.14 * (v[1] ?? 0)
  const g = 0.7 + 0.3 * (v[2] ?? 0)
  return {
    xs,
    ys,
    headings,
    curvatures,
    arc,
    laneWidth: wMin + (wMax - wMin) * (v[0] ?? 0),
    roadShade: [r, r, r * 1.03],
    grassShade: [0.22 * g, 0.45 * g, 0.14 * g],
    textureSeed: Math.floor((v[3] ?? 0) * 0x7fffffff),
  }
}

/** The sample index nearest to (x, y), by hill climbing from `start`. */
const nearestIndex = (road: Road, x: number, y: number, start: number): number => {
  const { xs, ys } = road
  const last = xs.length - 1
  const d2 = (i: number): number => ((xs[i] ?? 0) - x) ** 2 + ((ys[i] ?? 0) - y) ** 2
  let i = Math.min(Math.max(start, 0), last)
  let best = d2(i)
  for (;;) {
    if (i < last) {
      const next = d2(i + 1)
      if (next < best) {
        i++
        best = next
        continue
      }
    }
    if (i > 0) {
      const previous = d2(i - 1)
      if (previous < best) {
        i--
        best = previous
        continue
      }
    }
    return i
  }
}

interface Projection {
  readonly index: number
  readonly progress: number
  readonly lateralOffset: number
  readonly heading: number
  readonly curvature: number
}

/** Projects (x, y) onto the centre polyline near sample `start`. */
const project = (road: Road, x: number, y: number, start: number): Projection => {
  const index = nearestIndex(road, x, y, start)
  // The projection lies on the segment before or after the nearest sample.
  const last = road.xs.length - 1
  let bestD2 = Number.POSITIVE_INFINITY
  let result: Projection = { index, progress: 0, lateralOffset: 0, heading: 0, curvature: 0 }
  for (const a of [index - 1, index]) {
    if (a < 0 || a + 1 > last) continue
    const ax = road.xs[a] ?? 0
    const ay = road.ys[a] ?? 0
    const dx = (road.xs[a + 1] ?? 0) - ax
    const dy = (road.ys[a + 1] ?? 0) - ay
    const length2 = dx * dx + dy * dy
    const along = Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / length2))
    const px = ax + along * dx
    const py = ay + along * dy
    const d2 = (x - px) ** 2 + (y - py) ** 2
    if (d2 < bestD2) {
      bestD2 = d2
      const length = Math.sqrt(length2)
      const cross = (dx * (y - ay) - dy * (x - ax)) / length
      const h0 = road.headings[a] ?? 0
      const k0 = road.curvatures[a] ?? 0
      result = {
        index,
        progress: (road.arc[a] ?? 0) + along * length,
        lateralOffset: cross,
        heading: h0 + along * ((road.headings[a + 1] ?? 0) - h0),
        curvature: k0 + along * ((road.curvatures[a + 1] ?? 0) - k0),
      }
    }
  }
  return result
}

const wrapAngle = (angle: number): number => {
  const wrapped = angle - 2 * Math.PI * Math.round(angle / (2 * Math.PI))
  return wrapped <= -Math.PI ? wrapped + 2 * Math.PI : wrapped
}

/** Length of the overlap of [a, b] and [c, d]. */
const overlap = (a: number, b: number, c: number, d: number): number => Math.max(0, Math.min(b, d) - Math.max(a, c))

/** A value in [−1, 1) from two integer cell coordinates and a seed. */
const hash = (i: number, j: number, seed: number): number => {
  let h = Math.imul(i, 0x27d4eb2d) ^ Math.imul(j, 0x165667b1) ^ seed
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  h ^= h >>> 16
  return (h & 0xffff) / 32768 - 1
}

const SKY: Color = [0.75, 0.82, 0.9]
const WHITE: Color = [0.95, 0.95, 0.95]

/** The pose of a camera: the car's position and heading. */
interface CameraPose {
  readonly x: number
  readonly y: number
  readonly heading: number
  /** A sample index near the car, where the centre-line searches start. */
  readonly index: number
}

/**
 * Renders the forward camera into `out` from `offset`: `height` rows of `width` pixels, top row first, with
 * `channels` values per pixel (1: greyscale luminance, 3: RGB), each in [0, 1]. No allocation per pixel or row.
 */
const renderCamera = (
  road: Road,
  pose: CameraPose,
  width: number,
  height: number,
  channels: 1 | 3,
  out: Float32Array,
  offset: number,
): void => {
  const f = width / 2 / Math.tan(C.horizontalFov / 2)
  const sinP = Math.sin(C.cameraPitch)
  const cosP = Math.cos(C.cameraPitch)
  const forwardX = Math.cos(pose.heading)
  const forwardY = Math.sin(pose.heading)
  const rightX = forwardY
  const rightY = -forwardX
  const half = road.laneWidth / 2
  const edge = C.edgeLineWidth
  const centre = C.centreLineWidth / 2
  const [rr, rg, rb] = road.roadShade
  const [gr, gg, gb] = road.grassShade
  const seed = road.textureSeed
  let index = pose.index
  for (let row = height - 1; row >= 0; row--) {
    const yPixel = row + 0.5 - height / 2
    const denominator = f * sinP + yPixel * cosP
    const forward = denominator > 0 ? (C.cameraHeight / denominator) * (f * cosP - yPixel * sinP) : -1
    const base = offset + row * width * channels
    if (denominator <= 0 || forward > C.drawDistance) {
      // Sky above the horizon; haze between the draw distance and the horizon.
      for (let col = 0; col < width; col++) {
        const p = base + col * channels
        if (channels === 1) out[p] = 0.299 * SKY[0] + 0.587 * SKY[1] + 0.114 * SKY[2]
        else {
          out[p] = SKY[0]
          out[p + 1] = SKY[1]
          out[p + 2] = SKY[2]
        }
      }
      continue
    }
    const scale = C.cameraHeight / denominator // metres per pixel across the row
    const px = pose.x + forward * forwardX
    const py = pose.y + forward * forwardY
    index = nearestIndex(road, px, py, index)
    const cx = road.xs[index] ?? 0
    const cy = road.ys[index] ?? 0
    const h = road.headings[index] ?? 0
    const kappa = road.curvatures[index] ?? 0
    const s0 = road.arc[index] ?? 0
    const tx = Math.cos(h)
    const ty = Math.sin(h)
    // Along (a) and lateral (l, left positive) coordinates of the row's centre, and their change per pixel.
    const a0 = (px - cx) * tx + (py - cy) * ty
    const l0 = -(px - cx) * ty + (py - cy) * tx
    const da = scale * (rightX * tx + rightY * ty)
    const dl = scale * (-rightX * ty + rightY * tx)
    const halfPixel = Math.abs(dl) / 2 + 1e-9
    const pixelWidth = 2 * halfPixel
    for (let col = 0; col < width; col++) {
      const xPixel = col + 0.5 - width / 2
      const a = a0 + xPixel * da
      const l = l0 + xPixel * dl - 0.5 * kappa * a * a
      const s = s0 + a
      const lo = l - halfPixel
      const hi = l + halfPixel
      const roadCover = overlap(lo, hi, -half, half) / pixelWidth
      const dashOn = ((s % C.dashPeriod) + C.dashPeriod) % C.dashPeriod < C.dashLength ? 1 : 0
      const markCover =
        (overlap(lo, hi, -half, -half + edge) +
          overlap(lo, hi, half - edge, half) +
          dashOn * overlap(lo, hi, -centre, centre)) /
        pixelWidth
      const noise = 0.06 * hash(Math.floor(s * 2), Math.floor(l * 2), seed)
      const grassCover = 1 - roadCover
      const roadOnly = roadCover - markCover
      const r = grassCover * gr * (1 + noise) + roadOnly * rr * (1 + noise) + markCover * WHITE[0]
      const g = grassCover * gg * (1 + noise) + roadOnly * rg * (1 + noise) + markCover * WHITE[1]
      const b = grassCover * gb * (1 + noise) + roadOnly * rb * (1 + noise) + markCover * WHITE[2]
      const p = base + col * channels
      if (channels === 1) out[p] = Math.min(1, Math.max(0, 0.299 * r + 0.587 * g + 0.114 * b))
      else {
        out[p] = Math.min(1, Math.max(0, r))
        out[p + 1] = Math.min(1, Math.max(0, g))
        out[p + 2] = Math.min(1, Math.max(0, b))
      }
    }
  }
}

const toByte = (value: number): number => Math.round(Math.min(1, Math.max(0, value)) * 255)
const toColor = (color: Color): Color => [toByte(color[0]), toByte(color[1]), toByte(color[2])]

const TOP_DOWN_SIZE = 400
const TOP_DOWN_SCALE = 8 // pixels per metre: 50 m across

/** A 400 × 400 top-down frame centred on the car, north (+y) up: grass, road, edge and dashed centre lines, the car. */
const renderTopDown = (road: Road, pose: CameraPose): Frame => {
  const frame = makeFrame(TOP_DOWN_SIZE, TOP_DOWN_SIZE, toColor(road.grassShade))
  const toPixel = (x: number, y: number): PixelPoint => [
    TOP_DOWN_SIZE / 2 + (x - pose.x) * TOP_DOWN_SCALE,
    TOP_DOWN_SIZE / 2 - (y - pose.y) * TOP_DOWN_SCALE,
  ]
  const reach = (TOP_DOWN_SIZE / TOP_DOWN_SCALE) * 0.75
  const visible: number[] = []
  for (let i = 0; i < road.xs.length; i += 4) {
    if (Math.abs((road.xs[i] ?? 0) - pose.x) < reach && Math.abs((road.ys[i] ?? 0) - pose.y) < reach) visible.push(i)
  }
  const layer = (thickness: number, color: Color, keep: (i: number) => boolean): void => {
    for (const i of visible) {
      const j = Math.min(i + 4, road.xs.length - 1)
      if (!keep(i)) continue
      const [x0, y0] = toPixel(road.xs[i] ?? 0, road.ys[i] ?? 0)
      const [x1, y1] = toPixel(road.xs[j] ?? 0, road.ys[j] ?? 0)
      drawSegment(frame, x0, y0, x1, y1, thickness, color)
    }
  }
  const white = toColor(WHITE)
  layer(road.laneWidth * TOP_DOWN_SCALE, white, () => true)
  layer((road.laneWidth - 2 * C.edgeLineWidth) * TOP_DOWN_SCALE, toColor(road.roadShade), () => true)
  layer(C.centreLineWidth * TOP_DOWN_SCALE + 1, white, (i) => (road.arc[i] ?? 0) % C.dashPeriod < C.dashLength)
  const fx = Math.cos(pose.heading)
  const fy = Math.sin(pose.heading)
  const corners: PixelPoint[] = [
    [1.5, 0.7],
    [1.5, -0.7],
    [-1.5, -0.7],
    [-1.5, 0.7],
  ].map(([along, left]) =>
    toPixel(pose.x + (along ?? 0) * fx - (left ?? 0) * fy, pose.y + (along ?? 0) * fy + (left ?? 0) * fx),
  )
  fillPolygon(frame, corners, [200, 40, 40])
  const [nx, ny] = toPixel(pose.x + 1.5 * fx, pose.y + 1.5 * fy)
  const [mx, my] = toPixel(pose.x + 0.8 * fx, pose.y + 0.8 * fy)
  drawSegment(frame, mx, my, nx, ny, 3, [255, 230, 60])
  return frame
}

interface CarState {
  x: number
  y: number
  heading: number
  speed: number
  steering: number
  projection: Projection
  maxProgress: number
}

const NoResetOptions = strictObject(`${LANE_FOLLOWING_ID} reset options`, {})

/**
 * Makes a LaneFollowing-v0 env without a time limit (use `makeEnv('LaneFollowing-v0')` for the 1000-step limit).
 * Observation space Box(0/−1, 1, (H·W·C + 2,)) (image in [0, 1], speed fraction in [0, 1], steering in [−1, 1]);
 * action space Box(−1, 1, (2,)). A reset places the car at 10 m along the road, 0 ± 0.2 m off the centre line,
 * heading 0 ± 0.05 rad off it, at rest; reset options are rejected.
 *
 * @throws ConfigError when an option is invalid or a range has min > max
 *
 * @example
 * ```ts
 * const env = makeLaneFollowing({ curvatureRange: [0, 0] })
 * env.reset({ seed: 0 })
 * const { observation, reward } = env.step([0, 1]) // straight ahead, speeding up towards 10 km/h
 * ```
 */
export const makeLaneFollowing = (options: PartialInputOf<typeof LaneFollowingOptionsCodec> = {}): LaneFollowingEnv => {
  const decoded = decodeOrThrow(LaneFollowingOptionsCodec, options, `options of ${LANE_FOLLOWING_ID}`)
  const issues: string[] = []
  checkRange('laneWidthRange', decoded.laneWidthRange, issues)
  checkRange('curvatureRange', decoded.curvatureRange, issues)
  if (issues.length > 0) throw new ConfigError(issues, `options of ${LANE_FOLLOWING_ID}`)
  const id = LANE_FOLLOWING_ID
  const { cameraWidth: width, cameraHeight: height } = decoded
  const channels = decoded.color === 'rgb' ? 3 : 1
  const imageSize = width * height * channels
  const maxSpeed = decoded.maxSpeed / 3.6 // m/s
  const low = new Float32Array(imageSize + 2)
  low[imageSize + 1] = -1
  const observationSpace: BoxSpec = Box.box(low, new Float32Array(imageSize + 2).fill(1))
  const actionSpace: BoxSpec = Box.box(-1, 1, [2])
  const speedGain = 1 - Math.exp(-C.dt / C.speedTimeConstant)
  const keys = makeResetKeyStream()
  let road: Road | undefined
  let car: CarState | undefined
  let closed = false

  const current = (method: string): { road: Road; car: CarState } => {
    if (closed) throw new Error(`${id}: ${method}() called after close()`)
    if (road === undefined || car === undefined) throw new Error(`${id}: call reset() before ${method}()`)
    return { road, car }
  }

  const cameraPose = (state: CarState): CameraPose => ({
    x: state.x,
    y: state.y,
    heading: state.heading,
    index: state.projection.index,
  })

  const observe = (r: Road, state: CarState): Float32Array => {
    const observation = new Float32Array(imageSize + 2)
    renderCamera(r, cameraPose(state), width, height, channels, observation, 0)
    observation[imageSize] = state.speed / maxSpeed
    observation[imageSize + 1] = state.steering / C.maxSteering
    return observation
  }

  const reset = (resetOptions: ResetOptions = {}): ResetResult => {
    if (closed) throw new Error(`${id}: reset() called after close()`)
    checkSeed(id, resetOptions.seed)
    decodeResetOptions(id, NoResetOptions, resetOptions.options)
    const [roadKey, poseKey] = Rng.split(keys.next(resetOptions.seed), 2)
    const newRoad = makeRoad(roadKey, decoded)
    const u = Rng.uniform(poseKey, 2)
    const i = Math.round(C.startProgress / C.sampleSpacing)
    const h = newRoad.headings[i] ?? 0
    const offset = 0.2 * (2 * (u[0] ?? 0) - 1)
    const x = (newRoad.xs[i] ?? 0) - offset * Math.sin(h)
    const y = (newRoad.ys[i] ?? 0) + offset * Math.cos(h)
    const projection = project(newRoad, x, y, i)
    road = newRoad
    car = {
      x,
      y,
      heading: h + 0.05 * (2 * (u[1] ?? 0) - 1),
      speed: 0,
      steering: 0,
      projection,
      maxProgress: projection.progress,
    }
    return { observation: observe(newRoad, car), info: {} }
  }

  const step = (action: ArrayLike<number>): StepResult => {
    const state = current('step')
    checkAction(id, actionSpace, action)
    const r = state.road
    const previous = state.car
    const steering = C.maxSteering * Math.min(1, Math.max(-1, action[0] ?? 0))
    const setPoint = (maxSpeed * (Math.min(1, Math.max(-1, action[1] ?? 0)) + 1)) / 2
    const speed = previous.speed + (setPoint - previous.speed) * speedGain
    const x = previous.x + speed * Math.cos(previous.heading) * C.dt
    const y = previous.y + speed * Math.sin(previous.heading) * C.dt
    const heading = previous.heading + ((speed * Math.tan(steering)) / C.wheelbase) * C.dt
    const projection = project(r, x, y, previous.projection.index)
    const next: CarState = {
      x,
      y,
      heading,
      speed,
      steering,
      projection,
      maxProgress: Math.max(previous.maxProgress, projection.progress),
    }
    car = next
    const reward = projection.progress - previous.projection.progress
    const offLane = Math.abs(projection.lateralOffset) > r.laneWidth / 2
    const backwards = projection.progress < next.maxProgress - C.backwardLimit
    const terminated = offLane || backwards
    const truncated = !terminated && projection.progress >= decoded.roadLength
    return {
      observation: observe(r, next),
      reward,
      terminated,
      truncated,
      info: {
        progress: projection.progress,
        lateralOffset: projection.lateralOffset,
        ...(terminated ? { disengagement: true } : {}),
        ...(truncated ? { endOfRoad: true } : {}),
      },
    }
  }

  const cameraFrame = (): Frame => {
    const state = current('cameraFrame')
    const rgb = new Float32Array(width * height * 3)
    renderCamera(state.road, cameraPose(state.car), width, height, 3, rgb, 0)
    const data = new Uint8Array(rgb.length)
    for (let i = 0; i < rgb.length; i++) data[i] = toByte(rgb[i] ?? 0)
    return { width, height, data }
  }

  const pose = (): LaneFollowingPose => {
    const { road: r, car: c } = current('pose')
    return {
      x: c.x,
      y: c.y,
      heading: c.heading,
      speed: c.speed,
      steering: c.steering,
      progress: c.projection.progress,
      lateralOffset: c.projection.lateralOffset,
      headingError: wrapAngle(c.heading - c.projection.heading),
      laneCurvature: c.projection.curvature,
      laneWidth: r.laneWidth,
    }
  }

  return {
    id,
    spec: undefined,
    observationSpace,
    actionSpace,
    reset,
    step,
    render: () => {
      const state = current('render')
      return renderTopDown(state.road, cameraPose(state.car))
    },
    close: () => {
      closed = true
    },
    pose,
    cameraFrame,
  }
}
