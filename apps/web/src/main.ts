/**
 * The page: reads the settings from the URL and the form, loads the actor with tfjs, runs it on the env and draws
 * every step; when served by `src/server/main.ts` with a run folder, also plots that run's metrics as they arrive.
 *
 * The numbers a test reads: `#step`, `#return` (the episode return, full precision), `#episodes`, and
 * `document.body.dataset.state` (`loading`, `running`, `done`, `stopped` or `error`).
 */
import { type Env, makeEnv } from '@polyak/envs'
import * as tf from '@tensorflow/tfjs'
import { lineChartSvg } from './chart.js'
import { frameToRgba } from './frame.js'
import { addMetricsLine, type Curves, EMPTY_CURVES } from './metrics.js'
import { formatParams, type PageParams, parseParams } from './params.js'
import { makeRunner, type Policy, type RunnerState, shownReturn } from './runner.js'

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`the page has no #${id}`)
  return element as T
}

const form = byId<HTMLFormElement>('controls')
const inputs = {
  env: byId<HTMLSelectElement>('env'),
  seed: byId<HTMLInputElement>('seed'),
  steps: byId<HTMLInputElement>('steps'),
  speed: byId<HTMLSelectElement>('speed'),
  actor: byId<HTMLInputElement>('actor'),
  backend: byId<HTMLSelectElement>('backend'),
}
const canvas = byId<HTMLCanvasElement>('view')
const status = byId('status')
const context = canvas.getContext('2d')

const setState = (state: 'loading' | 'running' | 'done' | 'stopped' | 'error', message: string): void => {
  document.body.dataset.state = state
  status.textContent = message
  status.className = state === 'error' ? 'error' : ''
}

const fillForm = (params: PageParams): void => {
  inputs.env.value = params.env
  inputs.seed.value = String(params.seed)
  inputs.steps.value = String(params.steps)
  if (![...inputs.speed.options].some((o) => o.value === String(params.speed))) {
    inputs.speed.add(new Option(`${params.speed}× real time`, String(params.speed)))
  }
  inputs.speed.value = String(params.speed)
  inputs.actor.value = params.actor
  inputs.backend.value = params.backend
}

const formQuery = (): string => {
  const query = new URLSearchParams()
  for (const [key, input] of Object.entries(inputs)) query.set(key, input.value)
  return `?${query.toString()}`
}

const draw = (env: Env): void => {
  const frame = env.render()
  if (context === null) return
  if (canvas.width !== frame.width || canvas.height !== frame.height) {
    canvas.width = frame.width
    canvas.height = frame.height
  }
  const image = context.createImageData(frame.width, frame.height)
  frameToRgba(frame, image.data)
  context.putImageData(image, 0, 0)
}

const show = (env: Env, state: RunnerState): void => {
  byId('step').textContent = String(state.step)
  byId('episode-step').textContent = String(state.episodeStep)
  byId('return').textContent = String(shownReturn(state))
  byId('episodes').textContent =
    state.finishedReturns.length === 0 ? '–' : state.finishedReturns.map((r) => r.toFixed(1)).join(', ')
  draw(env)
}

/** The policy of an actor URL: the actor's action, or the zero action when no URL is given. */
const loadPolicy = async (url: string, env: Env, envId: string): Promise<{ policy: Policy; note: string }> => {
  if (url.trim() === '') {
    const zero = new Float32Array(env.actionSpace.shape.reduce((a, b) => a * b, 1))
    return { policy: () => zero, note: 'no actor: zero action' }
  }
  const model = await tf.loadLayersModel(new URL(url, document.baseURI).href)
  const metadata = (model.getUserDefinedMetadata() ?? {}) as { env?: unknown; algo?: unknown; steps?: unknown }
  const trainedOn = typeof metadata.env === 'string' ? metadata.env : 'an unknown env'
  const mismatch = trainedOn !== envId ? ` (trained on ${trainedOn}, running on ${envId})` : ''
  const policy: Policy = (observation) =>
    tf.tidy(() => {
      const action = model.predict(tf.tensor2d(observation, [1, observation.length])) as tf.Tensor
      return action.dataSync() as Float32Array
    })
  const at = typeof metadata.steps === 'number' ? ` at step ${metadata.steps}` : ''
  return { policy, note: `actor ${url}: ${String(metadata.algo ?? '')} on ${trainedOn}${at}${mismatch}` }
}

let generation = 0

const run = async (params: PageParams): Promise<void> => {
  generation += 1
  const mine = generation
  setState('loading', 'loading…')
  try {
    await tf.setBackend(params.backend)
    await tf.ready()
    const env = makeEnv(params.env)
    byId('env-id').textContent = params.env
    const loaded = await loadPolicy(params.actor, env, params.env)
    let current = loaded.policy
    let note = loaded.note
    const policy: Policy = (observation) => current(observation)
    if (params.actor === LIVE_ACTOR) {
      // the trainer replaces the run's actor at every checkpoint: play the newest one from the next step on
      let shownSteps = await liveActorSteps()
      const poll = async (): Promise<void> => {
        if (mine !== generation) return
        const steps = await liveActorSteps()
        if (steps !== undefined && steps !== shownSteps) {
          const next = await loadPolicy(LIVE_ACTOR, env, params.env).catch(() => undefined)
          if (next !== undefined && mine === generation) {
            shownSteps = steps
            current = next.policy
            note = `${next.note} (updated)`
            status.textContent = `running: ${note}, tfjs ${tf.getBackend()}`
          }
        }
        setTimeout(() => void poll(), LIVE_ACTOR_POLL_MS)
      }
      setTimeout(() => void poll(), LIVE_ACTOR_POLL_MS)
    }
    const runner = makeRunner(env, policy, { seed: params.seed, steps: params.steps })
    show(env, runner.state())
    setState('running', `running: ${note}, tfjs ${tf.getBackend()}`)
    const dtMs = (1000 * (params.env === 'Pendulum-v1' ? 0.05 : 1 / 30)) / (params.speed === 'max' ? 1 : params.speed)
    const tick = (): void => {
      if (mine !== generation) {
        env.close()
        return
      }
      const started = performance.now()
      let state = runner.state()
      // At `max` speed take as many steps as fit in ~12 ms, then draw; else one step per env dt.
      do state = runner.step()
      while (params.speed === 'max' && !state.done && performance.now() - started < 12)
      show(env, state)
      if (state.done) {
        setState('done', `done: ${state.step} steps, ${note}, tfjs ${tf.getBackend()}`)
        env.close()
        return
      }
      setTimeout(tick, params.speed === 'max' ? 0 : Math.max(0, dtMs - (performance.now() - started)))
    }
    setTimeout(tick, 0)
  } catch (error) {
    setState('error', `error: ${error instanceof Error ? error.message : String(error)}`)
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  const { params, problems } = parseParams(formQuery())
  history.replaceState(null, '', `${location.pathname}${formatParams(params)}`)
  if (problems.length > 0) setState('error', problems.join('; '))
  else void run(params)
})

byId('stop').addEventListener('click', () => {
  generation += 1
  setState('stopped', 'stopped')
})

/** The live view: when the server streams a run's metrics (`/events`), plot them as they arrive. */
const startLiveView = async (): Promise<void> => {
  const response = await fetch('live/run.json').catch(() => undefined)
  if (response === undefined || !response.ok) return
  const info = (await response.json()) as { run?: unknown }
  byId('live').hidden = false
  byId('live-run').textContent = `run folder: ${String(info.run)}`
  let curves: Curves = EMPTY_CURVES
  let pending = false
  const redraw = (): void => {
    pending = false
    byId('chart-return').innerHTML = lineChartSvg(
      [
        { label: 'episode return', color: '#3366cc', points: curves.episodeReturn },
        { label: 'evaluation mean return', color: '#dc3912', points: curves.evalReturn, dots: true },
      ],
      { title: 'return', xLabel: 'environment step', yLabel: 'return' },
    )
    byId('chart-loss').innerHTML = lineChartSvg(
      [{ label: 'critic loss', color: '#109618', points: curves.criticLoss }],
      { title: 'critic loss', xLabel: 'environment step', yLabel: 'loss (log scale)', logY: true },
    )
  }
  redraw()
  const events = new EventSource('live/events')
  events.addEventListener('reset', () => {
    curves = EMPTY_CURVES
    redraw()
  })
  events.addEventListener('message', (event: MessageEvent<string>) => {
    curves = addMetricsLine(curves, event.data)
    if (!pending) {
      pending = true
      requestAnimationFrame(redraw)
    }
  })
}

/** The run's latest actor, served by `npm run web -- --run <folder>`. */
const LIVE_ACTOR = 'live/actor/model.json'
const LIVE_ACTOR_POLL_MS = 2000

/** The training step of the run's latest actor, or undefined when there is none (no run, or no checkpoint yet). */
const liveActorSteps = async (): Promise<number | undefined> => {
  const response = await fetch(LIVE_ACTOR, { cache: 'no-store' }).catch(() => undefined)
  if (response === undefined || !response.ok) return undefined
  const model = (await response.json().catch(() => undefined)) as
    | { userDefinedMetadata?: { steps?: unknown } }
    | undefined
  const steps = model?.userDefinedMetadata?.steps
  return typeof steps === 'number' ? steps : -1
}

const start = async (): Promise<void> => {
  const parsed = parseParams(location.search)
  // with a run folder and no actor in the URL, the page plays the run's own latest actor
  const useLive = !new URLSearchParams(location.search).has('actor') && (await liveActorSteps()) !== undefined
  const params = useLive ? { ...parsed.params, actor: LIVE_ACTOR } : parsed.params
  fillForm(params)
  if (parsed.problems.length > 0) setState('error', parsed.problems.join('; '))
  else if (params.autostart) void run(params)
  else setState('stopped', 'press run')
}

void start()
void startLiveView()
