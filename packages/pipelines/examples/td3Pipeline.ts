import { initTrainState, latestActor, type TrainState, td3 } from '@polyak/agents'
import { setBackend } from '@polyak/core'
import { explore, learn, prepareRun, rollout, timeSlicedTicks } from '@polyak/pipelines'
import { remember } from '@polyak/replay'
import { filter, lastValueFrom, map } from 'rxjs'

await setBackend('auto')
// the agent fitted to the env, its networks and learner step, the noise and the seeded keys
const run = prepareRun(td3, { env: 'Pendulum-v1', steps: 2_000, warmupSteps: 500, agent: { hiddenSizes: [32, 32] } })
const { config, networks, keys } = run
const { low, high } = networks.spec
const actor = latestActor<TrainState>(networks) // what the learner publishes, as a policy

const updates$ = timeSlicedTicks(0, config.steps).pipe(
  rollout({
    makeEnv: run.makeEnv,
    policy: actor.policy,
    explore: explore({ process: run.noise.process, key: keys.explore, warmupSteps: config.warmupSteps, low, high }),
    seed: config.seed,
  }),
  map((step) => step.transition),
  remember(run.replay.remember),
  learn({
    step: run.learnerStep,
    initial: () => initTrainState(networks, { critics: run.agent.critics }, keys.init),
    key: keys.learn,
    publish: actor.publish,
  }),
  filter((event) => event.kind === 'update'),
)
export const last = await lastValueFrom(updates$)
console.log(`learner step ${last.state.step}: critic loss ${last.metrics['losses/critic'].toFixed(3)}`)
