/**
 * A simple orthographic drawing of a MuJoCo scene into an RGB {@link Frame}, without OpenGL (MuJoCo's own renderer
 * needs it): each geom is projected onto a plane, capsules and cylinders as thick segments between their end
 * centres, spheres (and, roughly, ellipsoids and boxes) as discs, planes as the ground under a side view. Colours are
 * the geoms' `rgba`; no lighting, shadows or depth sorting (geoms are drawn in model order).
 *
 * It reads the data as it is (as Gymnasium's renderer does, it calls no `mj_forward`), so the picture is the scene's
 * kinematics of the last physics evaluation.
 *
 * @module mujoco/render
 */
import { type Color, drawSegment, type Frame, fillCircle, makeFrame } from '../Frame.js'
import type { Simulation } from './simulation.js'

/**
 * Where the orthographic camera looks: the projection plane (`'xz'`: a side view from −y, x to the right and z up;
 * `'xy'`: a top view, x to the right and y up), the zoom, the frame size, and the world point at the frame's centre,
 * whose horizontal (and, in a top view, vertical) coordinate can follow a body.
 *
 * @example
 * ```ts
 * const camera: MujocoCamera = { plane: 'xz', pixelsPerMetre: 120, centre: [0, 0.6], trackBody: 1 }
 * ```
 */
export interface MujocoCamera {
  /** The projection plane. */
  readonly plane: 'xz' | 'xy'
  /** Zoom. */
  readonly pixelsPerMetre: number
  /** The world point (in the plane's two coordinates) drawn at the frame's centre. */
  readonly centre: readonly [number, number]
  /** A body whose x (and y in a top view) replaces the centre's, so the camera follows it; none by default. */
  readonly trackBody?: number
  /** Frame width in pixels (default 480, Gymnasium's). */
  readonly width?: number
  /** Frame height in pixels (default 480). */
  readonly height?: number
}

const SKY: Color = [230, 236, 242]
const GROUND: Color = [204, 230, 204]
const GROUND_MARK: Color = [150, 180, 150]

const GEOM_PLANE = 0
const GEOM_SPHERE = 2
const GEOM_CAPSULE = 3
const GEOM_ELLIPSOID = 4
const GEOM_CYLINDER = 5
const GEOM_BOX = 6

const colorOf = (rgba: Float32Array, g: number): Color => [
  Math.round(255 * Math.min(1, Math.max(0, rgba[4 * g] ?? 0))),
  Math.round(255 * Math.min(1, Math.max(0, rgba[4 * g + 1] ?? 0))),
  Math.round(255 * Math.min(1, Math.max(0, rgba[4 * g + 2] ?? 0))),
]

/**
 * Draws the simulation's geoms as seen by `camera`.
 *
 * @example
 * ```ts
 * const frame = renderSimulation(simulation, { plane: 'xz', pixelsPerMetre: 100, centre: [0, 0.5], trackBody: 1 })
 * frame.width // 480
 * ```
 */
export const renderSimulation = (simulation: Simulation, camera: MujocoCamera): Frame => {
  const width = camera.width ?? 480
  const height = camera.height ?? 480
  const scale = camera.pixelsPerMetre
  const frame = makeFrame(width, height, SKY)
  const { xpos, xmat } = simulation.geoms()
  const { type, size, rgba } = simulation.geomModel
  const side = camera.plane === 'xz'
  const vertical = side ? 2 : 1
  let centreH = camera.centre[0]
  let centreV = camera.centre[1]
  if (camera.trackBody !== undefined) {
    const bodies = simulation.xpos()
    centreH = bodies[3 * camera.trackBody] ?? centreH
    if (!side) centreV = bodies[3 * camera.trackBody + 1] ?? centreV
  }
  const toX = (h: number): number => width / 2 + (h - centreH) * scale
  const toY = (v: number): number => height / 2 - (v - centreV) * scale

  // The ground: a band under each plane in a side view, with a mark every metre so that motion shows.
  if (side) {
    for (let g = 0; g < simulation.ngeom; g++) {
      if (type[g] !== GEOM_PLANE || (rgba[4 * g + 3] ?? 1) === 0) continue
      const top = Math.max(0, Math.round(toY(xpos[3 * g + 2] ?? 0)))
      for (let y = top; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 3
          frame.data[i] = GROUND[0]
          frame.data[i + 1] = GROUND[1]
          frame.data[i + 2] = GROUND[2]
        }
      }
      const first = Math.ceil(centreH - width / 2 / scale)
      for (let metre = first; toX(metre) < width; metre++) {
        drawSegment(frame, toX(metre), top, toX(metre), top + 8, 2, GROUND_MARK)
      }
    }
  }

  for (let g = 0; g < simulation.ngeom; g++) {
    const kind = type[g]
    if (kind === GEOM_PLANE || (rgba[4 * g + 3] ?? 1) === 0) continue
    const color = colorOf(rgba, g)
    const h = xpos[3 * g] ?? 0
    const v = xpos[3 * g + vertical] ?? 0
    const radius = size[3 * g] ?? 0
    if (kind === GEOM_CAPSULE || kind === GEOM_CYLINDER) {
      // The geom's axis is the third column of its rotation matrix; its half-length is size[1].
      const half = size[3 * g + 1] ?? 0
      const axisH = xmat[9 * g + 2] ?? 0
      const axisV = xmat[9 * g + 3 * vertical + 2] ?? 0
      drawSegment(
        frame,
        toX(h - half * axisH),
        toY(v - half * axisV),
        toX(h + half * axisH),
        toY(v + half * axisV),
        Math.max(1, 2 * radius * scale),
        color,
      )
    } else if (kind === GEOM_SPHERE || kind === GEOM_ELLIPSOID || kind === GEOM_BOX) {
      const extent = Math.max(radius, size[3 * g + 1] ?? 0, size[3 * g + 2] ?? 0)
      fillCircle(frame, toX(h), toY(v), Math.max(0.5, (kind === GEOM_SPHERE ? radius : extent) * scale), color)
    }
  }
  return frame
}
