/**
 * Table I of "Learning to Drive in a Day" in kind, as Markdown: one row per model, training columns (episodes,
 * distance, env steps, simulated driving time, wall clock) and test columns (metres per disengagement, number of
 * disengagements, route covered).
 *
 * @module table
 */
import type { TestDrive, TestRoadConfig } from './testRoad.js'

/**
 * The rows the app can produce: the random and zero policies (no training), DDPG from pixels, DDPG with prioritized
 * replay on a VAE latent.
 *
 * @example
 * ```ts
 * const rows: readonly RowId[] = ['random', 'zero', 'pixels', 'vae']
 * ```
 */
export type RowId = 'random' | 'zero' | 'pixels' | 'vae'

/**
 * The display names of the rows (the paper's, with the algorithm named).
 *
 * @example
 * ```ts
 * ROW_NAMES.vae // 'Deep RL from VAE (DDPG + PER)'
 * ```
 */
export const ROW_NAMES: Readonly<Record<RowId, string>> = {
  random: 'Random policy',
  zero: 'Zero policy',
  pixels: 'Deep RL from pixels (DDPG)',
  vae: 'Deep RL from VAE (DDPG + PER)',
}

/**
 * The training figures of a learned row: finished training `episodes`, their total `distance` (the sum of the
 * episode returns, i.e. metres of progress along the lane), `envSteps` (× 0.1 s = simulated driving time),
 * `updates` (learner steps), `seconds` of wall clock for the RL training, and `pretrainSeconds` for what came
 * before it (the VAE row: collecting frames and training the VAE).
 *
 * @example
 * ```ts
 * const training: TrainingFigures = { episodes: 11, distance: 195.5, envSteps: 3000, updates: 2500, seconds: 120 }
 * ```
 */
export interface TrainingFigures {
  readonly episodes: number
  readonly distance: number
  readonly envSteps: number
  readonly updates: number
  readonly seconds: number
  readonly pretrainSeconds?: number
}

/**
 * One row of the table: its id, training figures (none for the fixed policies) and the test drive.
 *
 * @example
 * ```ts
 * const row: TableRow = { id: 'zero', test: driveTestRoad(zeroPolicy, road) }
 * ```
 */
export interface TableRow {
  readonly id: RowId
  readonly training?: TrainingFigures
  /** Learned rows: the env step of the tested actor, its validation score and how many actors were validated. */
  readonly selection?: { readonly t: number; readonly score: number; readonly candidates: number }
  readonly test: TestDrive
}

const DT = 0.1

const fixed = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '–')

/**
 * Seconds as `m:ss` (or `h:mm:ss`).
 *
 * @example
 * ```ts
 * formatDuration(125) // '2:05'
 * ```
 */
export const formatDuration = (seconds: number): string => {
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`
}

/**
 * The Markdown of the table with a caption naming the test road, and notes on how the columns were measured.
 * Metres per disengagement with no disengagement is shown as the paper does ("–") with the metres driven.
 *
 * @example
 * ```ts
 * writeFileSync('table.md', renderTable(rows, { seed: 20180701, routeLength: 250, maxPolicySteps: 3000 }))
 * ```
 */
export const renderTable = (rows: readonly TableRow[], road: TestRoadConfig): string => {
  const header = [
    'Model',
    'Training episodes',
    'Training distance (m)',
    'Training env steps (driving time)',
    'Training wall clock',
    'Test metres per disengagement',
    'Test # disengagements',
    'Test route covered',
  ]
  const lines = rows.map((row) => {
    const { training: tr, test } = row
    const perDisengagement =
      test.metresPerDisengagement === null ? `– (${fixed(test.metres)} m, none)` : fixed(test.metresPerDisengagement)
    const covered = test.completed
      ? `${fixed(test.covered, 0)} m`
      : `${fixed(test.covered, 0)} m (stopped after ${test.policySteps} steps)`
    const wall =
      tr === undefined
        ? '–'
        : `${fixed(tr.seconds, 0)} s${tr.pretrainSeconds === undefined ? '' : ` (+ ${fixed(tr.pretrainSeconds, 0)} s VAE)`}`
    return [
      ROW_NAMES[row.id],
      tr === undefined ? '–' : String(tr.episodes),
      tr === undefined ? '–' : fixed(tr.distance),
      tr === undefined ? '–' : `${tr.envSteps} (${formatDuration(tr.envSteps * DT)})`,
      wall,
      perDisengagement,
      String(test.disengagements),
      covered,
    ]
  })
  const table = [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
  return [
    `# Learning to drive from a camera: Table I in kind`,
    '',
    `Test road: LaneFollowing-v0, reset seed ${road.seed}, ${road.routeLength} m from the start point, at most ` +
      `${road.maxPolicySteps} policy steps; a safety driver takes over at each disengagement, brings the car back to ` +
      `the lane centre and hands back.`,
    '',
    table,
    '',
    ...rows.flatMap((row) =>
      row.selection === undefined
        ? []
        : [
            `- ${ROW_NAMES[row.id]}: tested the actor of env step ${row.selection.t}, the best of ${row.selection.candidates} ` +
              `on the validation road (${row.selection.score.toFixed(1)} m per disengagement there).`,
          ],
    ),
    ...(rows.some((row) => row.selection !== undefined) ? [''] : []),
    'Training distance: the sum of the training episodes’ returns (metres of progress along the lane). Driving time: ' +
      'env steps × 0.1 s of simulated time. Wall clock: seconds of RL training on this machine (the VAE row adds the ' +
      'frame collection and VAE training in brackets). Test metres: progress made while the policy was in control.',
    '',
  ].join('\n')
}
