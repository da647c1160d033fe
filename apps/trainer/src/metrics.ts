/**
 * The run's `metrics.jsonl`: one JSON object per line, each with the environment `step` it belongs to and
 * CleanRL-style namespaced keys (`charts/episodic_return`, `losses/critic`, `eval/mean_return`, …).
 *
 * @module metrics
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs'

/** One line of `metrics.jsonl`. */
export interface MetricsRecord {
  /** Environment steps taken when the record was made. */
  readonly step: number
  readonly [key: string]: unknown
}

/** The points of the learning curve, rebuilt from the records. */
export interface Curve {
  /** `[step, episodic return]` of every training episode. */
  readonly returns: Array<[number, number]>
  /** `[step, mean return]` of every evaluation. */
  readonly evaluations: Array<[number, number]>
}

/** Adds a record's points to a curve. */
const addToCurve = (curve: Curve, record: MetricsRecord): void => {
  const episodic = record['charts/episodic_return']
  if (typeof episodic === 'number') curve.returns.push([record.step, episodic])
  const evaluation = record['eval/mean_return']
  if (typeof evaluation === 'number') curve.evaluations.push([record.step, evaluation])
}

const parseLines = (text: string, file: string): MetricsRecord[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as MetricsRecord
      } catch {
        throw new Error(`${file}: line ${i + 1} is not JSON`)
      }
    })

/**
 * Reads a `metrics.jsonl` file.
 *
 * @example
 * ```ts
 * const returns = readMetrics('runs/a/metrics.jsonl').filter((r) => 'charts/episodic_return' in r)
 * ```
 */
export const readMetrics = (file: string): MetricsRecord[] =>
  existsSync(file) ? parseLines(readFileSync(file, 'utf8'), file) : []

/**
 * The records a resumed run keeps: those up to the step `t` of the checkpoint it resumes from. The interrupted run's
 * later records go, since the resumed run writes them again. (A checkpoint's own record comes once it is saved, so
 * it may follow records of later steps in the file; it is kept.)
 *
 * @example
 * ```ts
 * recordsUpTo(records, 4000).every((r) => r.step <= 4000) // true
 * ```
 */
export const recordsUpTo = (records: readonly MetricsRecord[], t: number): MetricsRecord[] =>
  records.filter((r) => r.step <= t)

/** An open `metrics.jsonl`, appended to line by line. */
export interface MetricsLog {
  /** Appends a record. */
  readonly write: (record: MetricsRecord) => void
  /** The learning curve of every record, the kept ones of a resumed run included. */
  readonly curve: Curve
  /** The records read back when resuming. */
  readonly previous: readonly MetricsRecord[]
  readonly close: () => void
}

/**
 * Opens `file` for appending. With `resumeAt`, the file is first cut back to {@link recordsUpTo} that step
 * (rewritten atomically), and the curve starts from the kept records.
 *
 * @example
 * ```ts
 * const metrics = openMetrics('runs/a/metrics.jsonl')
 * metrics.write({ step: 200, 'charts/episodic_return': -1200 })
 * metrics.close()
 * ```
 */
export const openMetrics = (file: string, options: { readonly resumeAt?: number } = {}): MetricsLog => {
  const curve: Curve = { returns: [], evaluations: [] }
  let previous: MetricsRecord[] = []
  if (options.resumeAt !== undefined) {
    previous = recordsUpTo(readMetrics(file), options.resumeAt)
    const temp = `${file}.tmp-${process.pid}`
    writeFileSync(temp, previous.map((r) => `${JSON.stringify(r)}\n`).join(''))
    renameSync(temp, file)
    for (const record of previous) addToCurve(curve, record)
  }
  const fd = openSync(file, 'a')
  let open = true
  return {
    write: (record) => {
      if (!open) return
      writeSync(fd, `${JSON.stringify(record)}\n`)
      addToCurve(curve, record)
    },
    curve,
    previous,
    close: () => {
      if (open) closeSync(fd)
      open = false
    },
  }
}
