import * as t from 'io-ts'

/**
 * A codec that accepts `undefined` (a key left out of a `strictObject`) or a value of `codec`, and is named like
 * `codec`, so an error reads `x_init: expected a number >= 0, got -1` rather than one line per union member.
 *
 * @example
 * ```ts
 * const ResetOptions = strictObject('reset options', { x_init: optional(NonNegativeNumber) })
 * ResetOptions.decode({}) // Right({})
 * ```
 */
export const optional = <A, O>(codec: t.Type<A, O, unknown>): t.Type<A | undefined, O | undefined, unknown> =>
  new t.Type<A | undefined, O | undefined, unknown>(
    codec.name,
    (u): u is A | undefined => u === undefined || codec.is(u),
    (u, c) => (u === undefined ? t.success(undefined) : codec.validate(u, c)),
    (a) => (a === undefined ? undefined : codec.encode(a)),
  )
