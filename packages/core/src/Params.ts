/**
 * Network parameters as plain, immutable records of tensors (`{ 'l0/kernel': Tensor2D, 'l0/bias': Tensor1D, … }`).
 * Update functions take a record and return a new one; the owner of a record disposes it when it is superseded.
 *
 * @module Params
 */
import * as tf from '@tensorflow/tfjs-core'
import { withGradientScope } from './gradientScope.js'

/**
 * Named parameter tensors of one network. Never mutated: updates return a new record.
 *
 * @example
 * ```ts
 * const params: Params = { w: tf.zeros([3, 4]), b: tf.zeros([4]) }
 * ```
 */
export type Params = Readonly<Record<string, tf.Tensor>>

/**
 * Applies `f` to every tensor of a record, keeping the names.
 *
 * @example
 * ```ts
 * const doubled = mapParams(params, (p) => tf.mul(p, 2))
 * ```
 */
export const mapParams = (params: Params, f: (tensor: tf.Tensor, name: string) => tf.Tensor): Params =>
  Object.fromEntries(Object.entries(params).map(([name, tensor]) => [name, f(tensor, name)]))

/**
 * Checks that two records have the same names and shapes; throws an Error listing every difference.
 *
 * @example
 * ```ts
 * assertSameStructure(online, target, 'polyakUpdate') // throws when a name or a shape differs
 * ```
 */
export const assertSameStructure = (a: Params, b: Params, what: string): void => {
  const problems: string[] = []
  for (const [name, tensor] of Object.entries(a)) {
    const other = b[name]
    if (other === undefined) problems.push(`'${name}' is missing from the second record`)
    else if (!tf.util.arraysEqual(tensor.shape, other.shape)) {
      problems.push(`'${name}' has shape [${tensor.shape}] and [${other.shape}]`)
    }
  }
  for (const name of Object.keys(b)) if (!(name in a)) problems.push(`'${name}' is missing from the first record`)
  if (problems.length > 0) throw new Error(`${what}: parameter records differ: ${problems.join('; ')}`)
}

/**
 * Combines two records with the same structure name by name.
 *
 * @example
 * ```ts
 * const sum = zipParams(a, b, (x, y) => tf.add(x, y))
 * ```
 */
export const zipParams = (a: Params, b: Params, f: (x: tf.Tensor, y: tf.Tensor, name: string) => tf.Tensor): Params => {
  assertSameStructure(a, b, 'zipParams')
  return Object.fromEntries(Object.entries(a).map(([name, x]) => [name, f(x, b[name] as tf.Tensor, name)]))
}

/**
 * Disposes every tensor of the given records (the owner calls this when a record is superseded).
 *
 * @example
 * ```ts
 * const next = polyakUpdate(0.005)(online, target)
 * disposeParams(target)
 * ```
 */
export const disposeParams = (...records: readonly Params[]): void => {
  for (const record of records) for (const tensor of Object.values(record)) tensor.dispose()
}

/**
 * A new record whose tensors share data with the input but are disposed independently (`tf.clone`).
 *
 * @example
 * ```ts
 * const copy = cloneParams(params)
 * disposeParams(params) // copy stays usable
 * ```
 */
export const cloneParams = (params: Params): Params => mapParams(params, (tensor) => tf.clone(tensor))

/**
 * The number of scalar parameters in a record.
 *
 * @example
 * ```ts
 * parameterCount({ w: tf.zeros([3, 4]), b: tf.zeros([4]) }) // 16
 * ```
 */
export const parameterCount = (params: Params): number =>
  Object.values(params).reduce((total, tensor) => total + tensor.size, 0)

/**
 * Prefixes every name (`actor/` + `l0/kernel`), to put several networks in one checkpoint.
 *
 * @example
 * ```ts
 * const all = { ...prefixParams('actor/', actor), ...prefixParams('critic/', critic) }
 * ```
 */
export const prefixParams = (prefix: string, params: Params): Params =>
  Object.fromEntries(Object.entries(params).map(([name, tensor]) => [`${prefix}${name}`, tensor]))

/**
 * The sub-record whose names start with `prefix`, with the prefix removed: the inverse of {@link prefixParams}.
 *
 * @example
 * ```ts
 * const actor = unprefixParams('actor/', all)
 * ```
 */
export const unprefixParams = (prefix: string, params: Params): Params =>
  Object.fromEntries(
    Object.entries(params)
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, tensor]) => [name.slice(prefix.length), tensor]),
  )

/**
 * Computes the value of a scalar loss and its gradient with respect to every tensor of `params`.
 * Call it inside `tf.tidy`; the returned tensors belong to the caller.
 *
 * @example
 * ```ts
 * const { value, grads } = tf.tidy(() => valueAndGradsOf((p) => tf.sum(tf.square(p.w as tf.Tensor)), params))
 * ```
 */
export const valueAndGradsOf = (
  loss: (params: Params) => tf.Scalar,
  params: Params,
): { readonly value: tf.Scalar; readonly grads: Params } => {
  const names = Object.keys(params)
  const tensors = names.map((name) => params[name] as tf.Tensor)
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) =>
    withGradientScope(xs, () => loss(Object.fromEntries(names.map((name, i) => [name, xs[i] as tf.Tensor])))),
  )(tensors)
  return { value, grads: Object.fromEntries(names.map((name, i) => [name, grads[i] as tf.Tensor])) }
}
