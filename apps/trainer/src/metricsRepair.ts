/**
 * Repairs a damaged `metrics.jsonl` before a run resumes: the file is cut back to its last good line.
 *
 * @module metricsRepair
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'

/** What {@link repairMetrics} did. */
export interface MetricsRepair {
  /** Lines kept (the good lines before the first bad one). */
  readonly kept: number
  /** Lines dropped, from the first bad one on (0: the file was sound and is unchanged). */
  readonly dropped: number
  /** The first bad line (1-based) and why, when there was one. */
  readonly firstBad?: { readonly line: number; readonly reason: string }
}

/** Why a line is not a metrics record, or `undefined` when it is one. */
const badLine = (line: string): string | undefined => {
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch {
    return 'not JSON'
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'not a JSON object'
  const step = (record as { step?: unknown }).step
  return typeof step === 'number' && Number.isSafeInteger(step) && step >= 0 ? undefined : 'no whole step'
}

/**
 * Cuts `file` back to its last good line: every line up to the first one that is not a JSON object with a whole
 * `step` is kept, that line and everything after it are dropped, and the file is rewritten atomically (a temporary
 * sibling renamed into place). A sound file (or none) is left as it is.
 *
 * @example
 * ```ts
 * const { dropped, firstBad } = repairMetrics('runs/a/metrics.jsonl')
 * if (dropped > 0) console.error(`metrics.jsonl line ${firstBad?.line} was damaged; dropped ${dropped} lines`)
 * ```
 */
export const repairMetrics = (file: string): MetricsRepair => {
  if (!existsSync(file)) return { kept: 0, dropped: 0 }
  const text = readFileSync(file, 'utf8')
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  let kept = 0
  let firstBad: MetricsRepair['firstBad']
  for (const line of lines) {
    const reason = line.trim() === '' ? 'empty' : badLine(line)
    if (reason !== undefined) {
      firstBad = { line: kept + 1, reason }
      break
    }
    kept += 1
  }
  if (firstBad === undefined) return { kept, dropped: 0 }
  const temp = `${file}.tmp-${process.pid}`
  writeFileSync(
    temp,
    lines
      .slice(0, kept)
      .map((line) => `${line}\n`)
      .join(''),
  )
  renameSync(temp, file)
  return { kept, dropped: lines.length - kept, firstBad }
}
