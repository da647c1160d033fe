/**
 * The training loop: one agent, one run, as a cold Observable of events.
 *
 * @module train
 */
import {
  type AnyAgent,
  cloneTrainState,
  initTrainState,
  type LatestActor,
  latestActor,
  type TrainState,
} from '@polyak/agents'
import type { PartialInputOf } from '@polyak/core'
import { accumulateNSteps, augmentBatches, type PriorityUpdate, type ReplaySnapshot, remember } from '@polyak/replay'
import { connect, defer, filter, map, merge, type Observable, Subject, take, tap } from 'rxjs'
import { redisActors } from './actors/redis.js'
import { workerActors } from './actors/workers.js'
import type { TrainConfigCodec } from './config.js'
import type { EnvStep } from './EnvStep.js'
import { type ExperimentSnapshot, takeSnapshot } from './ExperimentSnapshot.js'
import { emitEach } from './emitEach.js'
import { evaluatePolicy } from './evaluatePolicy.js'
import type { ExperimentEvent } from './events.js'
import { explore } from './explore.js'
import { learn } from './learn.js'
import { type PreparedRun, prepareRun } from './prepareRun.js'
import { rollout } from './rollout.js'
import { schedule } from './schedule.js'
import { timeSlicedTicks } from './timeSlicedTicks.js'

/**
 * Options of {@link train}: `resume`, a snapshot taken at an episode end, continues that run exactly.
 *
 * @example
 * ```ts
 * const options: TrainOptions = { resume: await loadExperimentSnapshot('runs/a/checkpoints/latest') }
 * ```
 */
export interface TrainOptions {
  readonly resume?: ExperimentSnapshot
}

/**
 * The env steps of a run from `start` on: inline (one env stepped in this thread, in lockstep with the learner,
 * bit-reproducible), or from worker-thread or Redis actors. Every kind acts with the agent's greedy policy of the
 * latest published actor plus the run's exploration noise, and random actions during warm-up.
 */
const actingSteps = (
  run: PreparedRun,
  latest: LatestActor<TrainState>,
  start: number,
  firstEpisode: number,
): Observable<EnvStep> => {
  const { config } = run
  const { actors } = config
  const { low, high } = run.networks.spec
  if (actors.kind === 'inline') {
    const warmupAction = new Float32Array(low.length)
    return timeSlicedTicks(start, config.steps).pipe(
      rollout({
        makeEnv: run.makeEnv,
        // warm-up actions are random (explore): no forward pass for them
        policy: (observation, t) => (t < config.warmupSteps ? warmupAction : latest.policy(observation)),
        explore: explore({
          process: run.noise.process,
          key: run.keys.explore,
          warmupSteps: config.warmupSteps,
          low,
          high,
        }),
        seed: config.seed,
        firstEpisode,
      }),
    )
  }
  const remote = {
    env: config.env,
    envOptions: config.envOptions,
    setup: actors.setup,
    count: actors.count,
    seed: config.seed,
    ...(run.frameStack && { frameStack: run.frameStack }),
    networks: { spec: run.networks.spec, architecture: run.architecture },
    noise: run.noise.kind,
    sigma: run.noise.sigma,
    warmupSteps: Math.max(0, config.warmupSteps - start),
    latestParams: latest.versioned,
    paramsEverySteps: actors.paramsEverySteps,
    paramsEveryMs: actors.paramsEveryMs,
    maxRestarts: actors.maxRestarts,
    firstStep: start,
    firstEpisode,
  }
  const steps$: Observable<EnvStep> =
    actors.kind === 'workers'
      ? workerActors(remote)
      : redisActors({
          ...remote,
          url: actors.url,
          prefix: actors.prefix,
          spawn: actors.spawn,
          ...(actors.password === '' ? {} : { password: actors.password }),
        })
  return steps$.pipe(take(Math.max(0, config.steps - start)))
}

/**
 * Trains `agent` as the run config says, as a cold `Observable<ExperimentEvent>`: nothing happens until it is
 * subscribed, and unsubscribing stops it between two steps and frees its env, replay and tensors. Read top to
 * bottom, the pipeline is the algorithm's composition:
 *
 *     env steps (actors: policy of the latest actor → explore) ─┬─ episode ends → episode events
 *                                                              ├─ (n-step) → remember (replay) → learn → priorities back → update events
 *                                                              └─ schedule: evaluations and checkpoints at absolute steps
 *
 * The agent decides the critics, the head, the learner step and the replay (`agent.prepare`); the config decides the
 * env, the budget, the actors and the networks' shape. Everything random derives from `config.seed`, so a run
 * resumed from a snapshot (`options.resume`) makes exactly the events the uninterrupted run makes after it.
 *
 * @throws ConfigError for an invalid config (before anything starts)
 *
 * @example
 * ```ts
 * train(td3, { env: 'Pendulum-v1', steps: 15_000, warmupSteps: 1_000, agent: { hiddenSizes: [64, 64] } })
 *   .pipe(filter((event) => event.type === 'episode'))
 *   .subscribe((event) => console.log(event.t, event.return))
 * ```
 */
export const train = (
  agent: AnyAgent,
  input: PartialInputOf<typeof TrainConfigCodec>,
  options: TrainOptions = {},
): Observable<ExperimentEvent> => {
  const run = prepareRun(agent, input)
  const { config, networks, replay } = run
  const { resume } = options
  const start = resume?.t ?? 0

  return defer(() => {
    const latest = latestActor<TrainState>(networks)
    const snapshotRequests$ = new Subject<(snapshot: ReplaySnapshot | undefined) => void>()
    const priorities$ = new Subject<PriorityUpdate>()
    const replaySnapshot = (): ReplaySnapshot => {
      let snapshot: ReplaySnapshot | undefined
      snapshotRequests$.next((s) => {
        snapshot = s
      })
      if (snapshot === undefined) throw new Error('train: no replay snapshot (nothing stored yet)')
      return snapshot
    }
    const snapshotAt = (at: number, nextEpisode: number): ExperimentSnapshot => {
      const state = latest.state()
      if (state === undefined) throw new Error('train: the learner has not published a state yet')
      return takeSnapshot(state, replaySnapshot(), at, nextEpisode)
    }
    const evaluation = (at: number): ExperimentEvent[] =>
      config.evalEpisodes === 0
        ? []
        : [
            {
              type: 'evaluation',
              t: at,
              ...evaluatePolicy({
                makeEnv: run.makeEnv,
                policy: latest.policy,
                episodes: config.evalEpisodes,
                seed: config.seed + 1_000_003,
              }),
            },
          ]
    let t = start // the latest env step, for update events

    return actingSteps(run, latest, start, resume?.episode ?? 0).pipe(
      tap((step) => {
        t = step.t
      }),
      connect((steps$) =>
        merge(
          steps$.pipe(
            filter((s): s is EnvStep & Required<Pick<EnvStep, 'episodeEnd'>> => s.episodeEnd !== undefined),
            map((s): ExperimentEvent => ({ type: 'episode', t: s.t, episode: s.episode, ...s.episodeEnd })),
          ),
          steps$.pipe(
            map((s) => (s.envIndex === undefined ? s.transition : { ...s.transition, envIndex: s.envIndex })),
            replay.nStep > 1 ? accumulateNSteps({ n: replay.nStep, gamma: replay.gamma }) : (x) => x,
            remember(replay.remember, {
              snapshotRequests$,
              priorityUpdates$: priorities$,
              ...(resume && { initial: resume.replay }),
            }),
            run.augment === undefined
              ? (x) => x
              : augmentBatches(run.augment, { key: run.keys.augment, first: resume?.train.step ?? 0 }),
            learn({
              step: run.learnerStep,
              initial: () =>
                resume === undefined
                  ? initTrainState(networks, { critics: run.agent.critics }, run.keys.init)
                  : cloneTrainState(resume.train),
              key: run.keys.learn,
              publish: latest.publish,
            }),
            emitEach((event): ExperimentEvent[] => {
              if (event.kind === 'final') {
                const snapshot = takeSnapshot(event.state, replaySnapshot(), config.steps, 0)
                return [...evaluation(config.steps), { type: 'final', t: config.steps, snapshot }]
              }
              const { indices } = event.batch
              const { tdErrors } = event.metrics
              if (indices !== undefined && tdErrors !== undefined) priorities$.next({ indices, tdErrors })
              return [{ type: 'update', t, learnerStep: event.state.step, metrics: event.metrics }]
            }),
          ),
          steps$.pipe(
            schedule<ExperimentEvent>(start, [
              { every: config.evalEvery, run: (_, at) => (at < config.steps ? evaluation(at) : []) }, // final: below
              {
                every: config.checkpointEvery,
                run: (s, at) => [{ type: 'checkpoint', t: at, snapshot: snapshotAt(at, s.episode + 1) }],
              },
            ]),
          ),
        ),
      ),
    )
  })
}
