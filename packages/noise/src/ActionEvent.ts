/**
 * The events that {@link addNoise} consumes and produces.
 *
 * @module ActionEvent
 */

/**
 * A deterministic action chosen for one environment at one step.
 *
 * @example
 * ```ts
 * const event: ActionEvent = { action: Float32Array.of(0.1, -0.3), envIndex: 0, episodeStart: true }
 * ```
 */
export interface ActionEvent {
  /** The policy's action. */
  readonly action: Float32Array
  /** Which environment (of a vectorised set) the action is for. */
  readonly envIndex: number
  /** True on the first step of an episode: the noise process of this environment is reset before sampling. */
  readonly episodeStart: boolean
  /**
   * The global step, when the producer counts steps: noise operators then draw with `Rng.foldIn(key, t)`, so a run
   * resumed at step `t` draws what the uninterrupted run would have. Left out, the event's position in the
   * subscription is used.
   */
  readonly t?: number
}

/**
 * An {@link ActionEvent} after exploration noise: `action` is the noisy (and clipped) action, `noise` what was added.
 *
 * @example
 * ```ts
 * const noisy: NoisyActionEvent = { action: Float32Array.of(0.2), envIndex: 0, episodeStart: false, noise: Float32Array.of(0.1) }
 * ```
 */
export interface NoisyActionEvent extends ActionEvent {
  /** The noise drawn for this step (before clipping the action to the bounds). */
  readonly noise: Float32Array
}
