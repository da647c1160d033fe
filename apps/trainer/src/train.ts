/**
 * A training run of the reference trainer: `runExperiment`'s event stream, turned into progress lines,
 * `metrics.jsonl`, checkpoints, a learning curve and the exported actor.
 *
 * @module train
 */
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { NetworkSpec } from '@polyak/agents'
import { Box } from '@polyak/core'
import { makeEnv } from '@polyak/envs'
import {
  checkpoint,
  disposeExperimentSnapshot,
  type ExperimentEvent,
  type ExperimentSnapshot,
  logMetrics,
  NonFiniteMetricError,
  runExperiment,
  type SavedEvent,
  type SnapshotEvent,
  saveExperiment,
} from '@polyak/pipelines'
import { type Observable, Subject, takeUntil } from 'rxjs'
import { experimentConfigOf, parseLogEvery, type TrainerConfig } from './config.js'
import { exportActorAtomically } from './exportActor.js'
import type { Curve, MetricsLog } from './metrics.js'
import { lineChart } from './svgChart.js'

/** Learner steps per `losses/*` line of `metrics.jsonl` (each line holds their mean). */
export const LOSS_LINE_EVERY = 100

/**
 * The default bound of `--max-critic-loss`: a critic loss above it (or not finite) stops the run as diverged.
 * Generous: squared TD errors of returns in the thousands stay far below it.
 *
 * @example
 * ```ts
 * train(config, plan, { ...options, maxCriticLoss: DEFAULT_MAX_CRITIC_LOSS })
 * ```
 */
export const DEFAULT_MAX_CRITIC_LOSS = 1e8

/**
 * The error a run stops with when its critic loss leaves the bound: it names the step and the loss.
 *
 * @example
 * ```ts
 * new DivergenceError(5123, 7.3e20, 1e8).message // 'the critic loss is 7.30e+20 at step 5123, above --max-critic-loss 1e8'
 * ```
 */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError'
  readonly step: number
  readonly loss: number
  constructor(step: number, loss: number, bound: number) {
    super(
      `the critic loss is ${Number.isFinite(loss) ? loss.toExponential(2) : String(loss)} at step ${step}, ` +
        `${Number.isFinite(loss) ? `above --max-critic-loss ${bound.toExponential(0).replace('e+', 'e')}` : 'not finite'}`,
    )
    this.step = step
    this.loss = loss
  }
}

/** Episodes in the running mean of the progress line. */
const RETURN_WINDOW = 10

/** The files and folders of a run folder. */
export const runFiles = (runDir: string) => ({
  config: path.join(runDir, 'config.json'),
  metrics: path.join(runDir, 'metrics.jsonl'),
  curve: path.join(runDir, 'returns.svg'),
  checkpoints: path.join(runDir, 'checkpoints'),
  final: path.join(runDir, 'final'),
  actor: path.join(runDir, 'actor'),
})

/** The stream of a run and the shape of its actor. */
export interface RunPlan {
  readonly run$: Observable<ExperimentEvent>
  readonly networkSpec: NetworkSpec
}

/**
 * Builds the run's cold stream (nothing starts until it is subscribed) and the actor's network spec. Throws before
 * anything starts when the env id, its options or the agent config are invalid.
 *
 * @throws ConfigError or Error from `runExperiment` / `makeEnv`
 *
 * @example
 * ```ts
 * const { run$ } = planRun(config) // then train(config, plan, options)
 * ```
 */
export const planRun = (config: TrainerConfig, resume?: ExperimentSnapshot): RunPlan => {
  if (config.networks.kind !== 'mlp') {
    throw new Error(
      `networks: the trainer exports MLP actors as tfjs LayersModels and takes {"kind":"mlp"} only, got ` +
        `${JSON.stringify(config.networks)}; to train and compare Parkour networks use npm run parkour`,
    )
  }
  const run$ = runExperiment(experimentConfigOf(config), resume === undefined ? {} : { resume })
  const env = makeEnv(config.env, config.envOptions)
  const { observationSpace, actionSpace } = env
  env.close()
  return {
    run$,
    networkSpec: {
      observationSize: Box.size(observationSpace),
      actionSize: actionSpace.low.length,
      low: Array.from(actionSpace.low),
      high: Array.from(actionSpace.high),
      hiddenSizes: config.agent.hiddenSizes,
    },
  }
}

/**
 * The learning curve: every training episode's return and every evaluation's mean return against the step.
 *
 * @example
 * ```ts
 * writeFileSync('returns.svg', curveSvg(config, metrics.curve))
 * ```
 */
export const curveSvg = (config: TrainerConfig, curve: Curve): string =>
  lineChart(
    [
      { name: 'episodic return (training)', points: curve.returns },
      {
        name: `evaluation (mean of ${config.evalEpisodes})`,
        points: curve.evaluations,
        markers: true,
      },
    ],
    {
      title: `${config.algo.toUpperCase()} on ${config.env}, seed ${config.seed}`,
      xLabel: 'environment step',
      yLabel: 'return',
    },
  )

/** `m:ss` or `h:mm:ss`. */
export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60]
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m)
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`
}

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined ? '–' : Math.abs(value) >= 1e5 ? value.toExponential(2) : value.toFixed(digits)

/** Options of {@link train}. */
export interface TrainOptions {
  /** The run folder (exists, holds `config.json`). */
  readonly runDir: string
  /** The open `metrics.jsonl` of the run; closed by `train`. */
  readonly metrics: MetricsLog
  /** The snapshot the run resumes from; `train` frees it when the run ends. */
  readonly resume?: ExperimentSnapshot
  /** The command that resumes this run, for the messages. */
  readonly resumeCommand: string
  /** Aborting it stops the run (Ctrl-C): the subscription is dropped, which frees everything. */
  readonly signal?: AbortSignal
  /** Progress and result lines (stdout). */
  readonly log: (line: string) => void
  /** Failures (stderr). */
  readonly error: (line: string) => void
  /** How a path is printed (e.g. relative to where the user is); default as is. */
  readonly show?: (file: string) => string
  /** Stop when the critic loss exceeds it ({@link DEFAULT_MAX_CRITIC_LOSS}; 0: no bound, a non-finite loss still stops). */
  readonly maxCriticLoss?: number
  /** Removes secrets from a message before it is printed or written (default: as is). */
  readonly redact?: (text: string) => string
}

/** How a run ended. */
export interface TrainResult {
  readonly status: 'completed' | 'interrupted' | 'failed'
  /** 0 completed, 1 failed, 130 interrupted. */
  readonly exitCode: 0 | 1 | 130
  /** Environment steps taken when it ended. */
  readonly step: number
  /** The step of the last checkpoint saved (or resumed from), if any. */
  readonly lastCheckpoint?: number
  /** The evaluation at the last step (when `evalEpisodes` > 0 and the run completed). */
  readonly finalEvaluation?: { readonly meanReturn: number; readonly returns: readonly number[] }
  /** Steps per second of this process's part of the run. */
  readonly stepsPerSecond: number
  readonly seconds: number
  readonly error?: unknown
}

/**
 * The lines that explain a failed run: the error, the last good checkpoint, and what to do.
 *
 * @example
 * ```ts
 * failureMessage(error, { lastCheckpoint: 5000, checkpoints: 'runs/a/checkpoints', curve: 'runs/a/returns.svg' })
 * ```
 */
export const failureMessage = (
  error: unknown,
  where: { readonly lastCheckpoint?: number; readonly checkpoints: string; readonly curve: string },
): string[] => {
  const lines = [`error: ${error instanceof Error ? error.message : String(error)}`]
  lines.push(
    where.lastCheckpoint === undefined
      ? 'no checkpoint was saved before the failure.'
      : `the last good checkpoint is step ${where.lastCheckpoint} in ${where.checkpoints}.`,
  )
  if (error instanceof NonFiniteMetricError || error instanceof DivergenceError) {
    lines.push(
      'the run diverged. A resumed run repeats the same steps exactly and would diverge again: start a new run with ' +
        'smaller learning rates (--actor-learning-rate, --critic-learning-rate) or a larger --tau/--batch-size.',
    )
  }
  lines.push(`learning curve so far: ${where.curve}`)
  return lines
}

/**
 * Runs a planned run to its end, interruption or failure, and resolves (never rejects) with how it ended.
 *
 * - progress: a line every `config.logEvery` (seconds like `"2s"` or steps) with step/total, steps/s, the mean of the
 *   last 10 episodic returns and the last critic loss; a line per evaluation and checkpoint;
 * - `metrics.jsonl`: `charts/episodic_return` and `charts/episodic_length` per episode, the mean `losses/*` (and
 *   `values/*`) every {@link LOSS_LINE_EVERY} learner steps, `charts/sps` with each progress line,
 *   `eval/mean_return` per evaluation, and `event` records (start, resume, checkpoint, error);
 * - a checkpoint event is saved with `saveExperiment(<runDir>/checkpoints)` (one after the other: `concatMap`, beside
 *   the run, which goes on meanwhile), then freed; its record in metrics.jsonl is written once it is saved;
 * - the final event is saved to `<runDir>/final` and the actor exported to `<runDir>/actor` (tfjs LayersModel);
 * - `returns.svg` is written at the end, on failure and on interruption.
 *
 * @example
 * ```ts
 * const result = await train(config, planRun(config), { runDir, metrics, resumeCommand, log, error })
 * process.exitCode = result.exitCode
 * ```
 */
export const train = (config: TrainerConfig, plan: RunPlan, options: TrainOptions): Promise<TrainResult> =>
  new Promise<TrainResult>((resolve) => {
    const { runDir, metrics, log } = options
    const files = runFiles(runDir)
    const show = options.show ?? ((file: string) => file)
    const redact = options.redact ?? ((text: string) => text)
    const maxCriticLoss = options.maxCriticLoss ?? DEFAULT_MAX_CRITIC_LOSS
    let diverged: DivergenceError | undefined
    const startStep = options.resume?.t ?? 0
    const every = parseLogEvery(config.logEvery)
    const recent = metrics.curve.returns.slice(-RETURN_WINDOW).map(([, r]) => r)
    const width = String(config.steps).length
    const started = performance.now()
    let step = startStep
    let lastCritic: number | undefined
    let lastClipped: number | undefined // a categorical critic's target mass clipped onto the support's ends
    let lastProgress = { time: started, step: startStep }
    // the ETA's rate is measured from the first progress line after the random warm-up, which runs many times faster
    let learning: { time: number; step: number } | undefined
    let lastCheckpoint = options.resume?.t
    let lastEvaluation: { t: number; meanReturn: number; returns: readonly number[] } | undefined

    const progress = () => {
      const now = performance.now()
      const sps = ((step - lastProgress.step) * 1000) / Math.max(1, now - lastProgress.time)
      const overall = ((step - startStep) * 1000) / Math.max(1, now - started)
      const mean = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : undefined
      const sinceWarmup =
        learning !== undefined && step > learning.step
          ? ((step - learning.step) * 1000) / Math.max(1, now - learning.time)
          : Number.NaN
      if (learning === undefined && step >= config.warmupSteps) learning = { time: now, step }
      const rate = Number.isFinite(sinceWarmup) ? sinceWarmup : step >= config.warmupSteps ? sps : overall
      const eta = rate > 0 ? (config.steps - step) / rate : Number.NaN
      log(
        `step ${String(step).padStart(width)}/${config.steps} | ${sps.toFixed(0).padStart(4)} steps/s | ` +
          `return(${RETURN_WINDOW}) ${fixed(mean, 1).padStart(8)} | critic loss ${fixed(lastCritic, 3)} | ` +
          (lastClipped === undefined ? '' : `clipped mass ${(100 * lastClipped).toFixed(1)}% | `) +
          `${formatDuration((now - started) / 1000)} elapsed${Number.isFinite(eta) ? `, ETA ${formatDuration(eta)}` : ''}`,
      )
      metrics.write({ step, 'charts/sps': sps })
      lastProgress = { time: now, step }
    }

    // Snapshots are written one after the other beside the run, which goes on meanwhile (the `checkpoint`
    // operator), and freed once written; a checkpoint's record in metrics.jsonl follows its write.
    const save = async (snapshot: ExperimentSnapshot, event: SnapshotEvent) => {
      // the actor goes to <run>/actor/ at every checkpoint too, so a live view can play the latest one
      const actorMetadata = { algo: config.algo, env: config.env, seed: config.seed, steps: event.t }
      if (event.type === 'checkpoint') {
        await saveExperiment(files.checkpoints, snapshot)
        await exportActorAtomically(files.actor, snapshot.train.actor, plan.networkSpec, actorMetadata)
        return
      }
      await saveExperiment(files.final, snapshot)
      await exportActorAtomically(files.actor, snapshot.train.actor, plan.networkSpec, actorMetadata)
    }

    /** Every event, in order, as it comes: progress and the lines the metrics records do not cover. */
    const onEvent = (event: ExperimentEvent | SavedEvent) => {
      if (event.type === 'episode') {
        step = Math.max(step, event.t + 1)
        recent.push(event.return)
        if (recent.length > RETURN_WINDOW) recent.shift()
      } else if (event.type === 'update') {
        step = Math.max(step, event.t + 1)
        lastCritic = event.metrics['losses/critic']
        lastClipped = event.metrics['values/clipped_mass']
        const loss = lastCritic
        if (
          diverged === undefined &&
          typeof loss === 'number' &&
          (!Number.isFinite(loss) || (maxCriticLoss > 0 && loss > maxCriticLoss))
        ) {
          // stop before the next snapshot: the checkpoints on disk hold the last good state
          diverged = new DivergenceError(event.t, loss, maxCriticLoss)
          stopRun$.next()
        }
      } else if (event.type === 'saved' && event.of === 'final') {
        step = Math.max(step, event.t)
      } else if (event.type === 'evaluation') {
        if (event.t !== lastEvaluation?.t) {
          log(
            `evaluation at step ${event.t}: mean return ${event.meanReturn.toFixed(1)} over ` +
              `${event.returns.length} episode${event.returns.length === 1 ? '' : 's'}`,
          )
        }
        lastEvaluation = event
      } else if (event.type === 'saved' && event.of === 'checkpoint') {
        lastCheckpoint = event.t
        metrics.write({ step: event.t, event: 'checkpoint', episode: event.episode })
        log(`checkpoint at step ${event.t} saved in ${show(files.checkpoints)}`)
      }
      const due =
        'seconds' in every
          ? performance.now() - lastProgress.time >= every.seconds * 1000
          : Math.floor(step / every.steps) > Math.floor(lastProgress.step / every.steps)
      if (due) progress()
    }

    let interrupted = false
    const stopRun$ = new Subject<void>()
    const finish = (how: TrainResult['status'], error?: unknown) => {
      options.signal?.removeEventListener('abort', onAbort)
      const seconds = (performance.now() - started) / 1000
      const stepsPerSecond = (step - startStep) / Math.max(1e-9, seconds)
      if (how === 'completed' && lastProgress.step !== step) progress()
      if (how === 'failed') {
        metrics.write({ step, event: 'error', message: redact(error instanceof Error ? error.message : String(error)) })
      }
      if (how === 'interrupted') metrics.write({ step, event: 'interrupted' })
      metrics.close()
      try {
        writeFileSync(files.curve, curveSvg(config, metrics.curve))
      } catch (svgError) {
        options.error(`could not write ${show(files.curve)}: ${String(svgError)}`)
      }
      if (options.resume !== undefined) disposeExperimentSnapshot(options.resume)
      const finalEvaluation =
        how === 'completed' && lastEvaluation !== undefined && lastEvaluation.t === config.steps
          ? { meanReturn: lastEvaluation.meanReturn, returns: lastEvaluation.returns }
          : undefined
      const base = {
        status: how,
        step,
        stepsPerSecond,
        seconds,
        ...(lastCheckpoint === undefined ? {} : { lastCheckpoint }),
      }
      if (how === 'completed') {
        if (finalEvaluation !== undefined) {
          log(
            `final evaluation at step ${config.steps}: mean return ${finalEvaluation.meanReturn.toFixed(1)} over ` +
              `${finalEvaluation.returns.length} episode${finalEvaluation.returns.length === 1 ? '' : 's'}`,
          )
        }
        log(
          `done: ${step - startStep} steps in ${formatDuration(seconds)} (${stepsPerSecond.toFixed(0)} steps/s). ` +
            `Run folder ${show(runDir)}:`,
        )
        log('  metrics.jsonl, config.json, returns.svg (learning curve)')
        log(
          `  actor/ (tfjs LayersModel: model.json + weights.bin), final/ (the state at the end)` +
            `${existsSync(files.checkpoints) ? ', checkpoints/ (to resume from)' : ''}`,
        )
        resolve({ ...base, exitCode: 0, ...(finalEvaluation === undefined ? {} : { finalEvaluation }) })
      } else if (how === 'interrupted') {
        log(`interrupted at step ${step}; learning curve so far: ${show(files.curve)}`)
        log(
          lastCheckpoint !== undefined
            ? `resume from the checkpoint at step ${lastCheckpoint} with: ${options.resumeCommand}`
            : config.checkpointEvery > 0
              ? `no checkpoint was taken yet (one every ${config.checkpointEvery} steps), so there is nothing to resume.`
              : 'checkpoints are off (--checkpoint-every 0), so there is nothing to resume.',
        )
        resolve({ ...base, exitCode: 130 })
      } else {
        for (const line of failureMessage(error, {
          checkpoints: show(files.checkpoints),
          curve: show(files.curve),
          ...(lastCheckpoint === undefined ? {} : { lastCheckpoint }),
        })) {
          options.error(redact(line))
        }
        resolve({ ...base, exitCode: 1, error })
      }
    }

    // Ctrl-C ends the run early (takeUntil unsubscribes runExperiment, which frees everything); the writes already
    // queued still finish before the stream completes.
    plan.run$
      .pipe(
        takeUntil(stopRun$),
        logMetrics((record) => metrics.write(record), { lossEvery: LOSS_LINE_EVERY }),
        checkpoint(save),
      )
      .subscribe({
        next: onEvent,
        error: (error: unknown) => finish('failed', error),
        complete: () =>
          diverged !== undefined ? finish('failed', diverged) : finish(interrupted ? 'interrupted' : 'completed'),
      })
    function onAbort() {
      interrupted = true
      stopRun$.next()
    }
    if (options.signal?.aborted === true) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
  })
