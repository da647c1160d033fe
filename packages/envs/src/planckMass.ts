/**
 * Mass properties of convex polygons and circles, and {@link correctMassData}, which sets a planck body's mass data
 * from them (internal, not re-exported).
 *
 * Why: `planck@1.4.2`, the last planck that installs on Node 20 without an engine warning, has a bug in a polygon
 * fixture's centre of mass (fixed in 1.4.3): its `addVec2` adds the wrong component, so the centre comes out as
 * (r.x + d.x, r.y + d.x), where r is the mean of the vertices and d the centroid's offset from it: right when d.x = d.y,
 * as for boxes, parallelograms and triangles (d = 0), wrong otherwise: 8.8 cm too low for BipedalWalker's hull, 2.4 cm
 * for LunarLander's lander. The moment of inertia about the origin carries the same error (for a body of one fixture,
 * the one about the centre of mass comes out right). The Box2D envs call {@link correctMassData} on each dynamic body
 * once its fixtures exist. The numbers do not depend on the planck version: on 1.4.2 they replace the wrong ones, on
 * ≥ 1.4.3 they equal planck's own up to the last bits (the formulas are ours, rounded differently).
 *
 * @module planckMass
 */
import { type Body, CircleShape, PolygonShape } from 'planck'

/** A 2-D point or vector. */
export interface Point {
  readonly x: number
  readonly y: number
}

/** The mass of a shape or body, its centre of mass and its moment of inertia about the origin of its coordinates. */
export interface MassProperties {
  readonly mass: number
  readonly center: Point
  /** About the origin of the coordinates the shape is given in (not about the centre of mass), as planck's MassData. */
  readonly inertia: number
}

/**
 * The mass properties of a simple polygon of uniform `density`, in either winding order: the polygon is split into
 * the triangles (r, pᵢ, pᵢ₊₁) of a fan around r, the mean of the vertices (inside a convex polygon, which keeps the
 * products small for polygons far from the origin); a triangle with signed area A = (a × b) / 2, where a = pᵢ − r and
 * b = pᵢ₊₁ − r, has its first moment A (a + b) / 3 and its second moment A (a·a + a·b + b·b) / 6 about r. The centre
 * is r plus the first moment over the area; the moment of inertia is taken about the centre (parallel-axis theorem),
 * then moved to the origin.
 *
 * @throws RangeError for fewer than 3 vertices or a polygon of zero area
 *
 * @example
 * ```ts
 * polygonMassProperties([{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 2, y: 1 }, { x: 0, y: 1 }], 3)
 * // { mass: 6, center: { x: 1, y: 0.5 }, inertia: 6 * (4 + 1) / 12 + 6 * (1 + 0.25) }
 * ```
 */
export const polygonMassProperties = (vertices: readonly Point[], density: number): MassProperties => {
  const n = vertices.length
  if (n < 3) throw new RangeError(`polygonMassProperties: a polygon needs at least 3 vertices, got ${n}`)
  let rx = 0
  let ry = 0
  for (const { x, y } of vertices) {
    rx += x
    ry += y
  }
  rx /= n
  ry /= n

  let doubleArea = 0 // Σ a × b
  let sx = 0 // Σ (a × b)(a + b): six times the first moment about r
  let sy = 0
  let s2 = 0 // Σ (a × b)(a·a + a·b + b·b): twelve times the second moment about r
  for (let i = 0; i < n; i++) {
    const p = vertices[i] as Point
    const q = vertices[(i + 1) % n] as Point
    const ax = p.x - rx
    const ay = p.y - ry
    const bx = q.x - rx
    const by = q.y - ry
    const cross = ax * by - ay * bx
    doubleArea += cross
    sx += cross * (ax + bx)
    sy += cross * (ay + by)
    s2 += cross * (ax * ax + ax * bx + bx * bx + ay * ay + ay * by + by * by)
  }
  if (!(doubleArea !== 0)) throw new RangeError('polygonMassProperties: the polygon has zero area')
  // Clockwise vertices give negative signed areas and moments; the ratios below are unaffected, the sign is dropped.
  const area = Math.abs(doubleArea) / 2
  const cx = sx / (3 * doubleArea) // centre relative to r: (Σ first moments) / area
  const cy = sy / (3 * doubleArea)
  const mass = density * area
  const inertiaAboutR = (density * Math.abs(s2)) / 12
  const inertiaAboutCenter = inertiaAboutR - mass * (cx * cx + cy * cy)
  const center = { x: rx + cx, y: ry + cy }
  return { mass, center, inertia: inertiaAboutCenter + mass * (center.x * center.x + center.y * center.y) }
}

/**
 * The mass properties of a disc of uniform `density`: mass ρπr², centre `center`, moment of inertia m (r²/2 + |c|²)
 * about the origin.
 *
 * @example
 * ```ts
 * circleMassProperties({ x: 0, y: 0 }, 1, 2) // { mass: 2π, center: { x: 0, y: 0 }, inertia: π }
 * ```
 */
export const circleMassProperties = (center: Point, radius: number, density: number): MassProperties => {
  const mass = density * Math.PI * radius * radius
  return {
    mass,
    center: { x: center.x, y: center.y },
    inertia: mass * ((radius * radius) / 2 + center.x * center.x + center.y * center.y),
  }
}

/**
 * The mass properties of several parts given in the same coordinates: the masses add, the centre is the
 * mass-weighted mean of the centres ((0, 0) for zero total mass), the moments of inertia about the origin add.
 *
 * @example
 * ```ts
 * combineMassProperties([left, right]) // the whole
 * ```
 */
export const combineMassProperties = (parts: readonly MassProperties[]): MassProperties => {
  let mass = 0
  let mx = 0
  let my = 0
  let inertia = 0
  for (const part of parts) {
    mass += part.mass
    mx += part.mass * part.center.x
    my += part.mass * part.center.y
    inertia += part.inertia
  }
  const center = mass > 0 ? { x: mx / mass, y: my / mass } : { x: 0, y: 0 }
  return { mass, center, inertia }
}

/**
 * The mass properties of a body from its fixtures, in body coordinates: each polygon fixture by
 * {@link polygonMassProperties} on the polygon planck keeps (its convex hull of the given vertices), each circle by
 * {@link circleMassProperties}; edges, chains and fixtures of zero density have no mass (as in Box2D).
 *
 * @example
 * ```ts
 * bodyMassProperties(hull) // { mass: 5 · area of HULL_POLY, center: …, inertia: … }
 * ```
 */
export const bodyMassProperties = (body: Body): MassProperties => {
  const parts: MassProperties[] = []
  for (let fixture = body.getFixtureList(); fixture !== null; fixture = fixture.getNext()) {
    const density = fixture.getDensity()
    if (density === 0) continue
    const shape = fixture.getShape()
    if (shape instanceof PolygonShape) {
      // planck has no public vertex accessor on polygons; m_vertices/m_count are typed and stable across planck 1.x.
      parts.push(polygonMassProperties(shape.m_vertices.slice(0, shape.m_count), density))
    } else if (shape instanceof CircleShape) {
      parts.push(circleMassProperties(shape.m_p, shape.m_radius, density))
    }
  }
  return combineMassProperties(parts)
}

/**
 * Sets a dynamic body's mass data (mass, centre of mass, moment of inertia) to {@link bodyMassProperties}, replacing
 * what planck computed when the fixtures were created (wrong for polygons on `planck@1.4.2`, see the module). Call it
 * after the body's last fixture is created, before the body moves (a shifted centre of mass of a spinning body would
 * change its velocity, as in Box2D). Static and kinematic bodies are left alone.
 *
 * @example
 * ```ts
 * const hull = world.createBody({ type: 'dynamic', position })
 * hull.createFixture(new PolygonShape(HULL_VERTICES), { density: 5 })
 * correctMassData(hull)
 * ```
 */
export const correctMassData = (body: Body): void => {
  if (!body.isDynamic()) return
  const { mass, center, inertia } = bodyMassProperties(body)
  body.setMassData({ mass, center, I: inertia })
}
