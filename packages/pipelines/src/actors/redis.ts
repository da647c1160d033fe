/**
 * Actors across machines: actor processes and the learner talk through Redis: a stream for transitions (read with a
 * consumer group, acknowledged only after the steps were handed on) and a hash for versioned actor parameters.
 *
 * @module actors/redis
 */
import { type ChildProcess, fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Observable } from 'rxjs'
import type { LiveActors } from './live.js'
import type { ActorStep } from './protocol.js'
import {
  connectRedis,
  decodeChunk,
  encodeParams,
  LEARNER_GROUP,
  openRedis,
  type RedisActorsRunConfig,
  redisKeys,
} from './redisProtocol.js'
import { type ActorsOptions, learnerSide, type RestartCounts, rawParams } from './steps.js'

/**
 * What happens to a spawned actor process (`spawn: true`): `started` (with its pid), `crashed` (it exited while the
 * stream was running; it is restarted) and `stopped` (ended by the unsubscribe).
 *
 * @example
 * ```ts
 * const onActor = (event: RedisActorEvent) => { if (event.type === 'started') pids.push(event.pid) }
 * ```
 */
export type RedisActorEvent =
  | { readonly type: 'started'; readonly actor: number; readonly pid: number }
  | { readonly type: 'crashed'; readonly actor: number; readonly pid: number; readonly reason: string }
  | { readonly type: 'stopped'; readonly actor: number; readonly pid: number }

/**
 * Options of {@link redisActors}: the shared {@link ActorsOptions} (env, networks of any architecture, noise, seeds,
 * publishing), plus where Redis is and whether to start the actor processes here.
 *
 * @example
 * ```ts
 * const options: RedisActorsOptions = {
 *   ...actorsOptions, // env, count, seed, networks, sigma, latestParams, …
 *   url: 'redis://10.0.0.5:6379', prefix: 'polyak:run1', spawn: false,
 * }
 * ```
 */
export interface RedisActorsOptions extends ActorsOptions {
  /** `redis://host:port[/db]`, optionally with `user:password@`. */
  readonly url: string
  /** Overrides the URL's password; default: the URL's, else the `POLYAK_REDIS_PASSWORD` environment variable. */
  readonly password?: string
  /** The prefix of every key of this run (default `polyak`); use one per run. */
  readonly prefix?: string
  /** Start `count` actor processes on this machine (default true); false: they are started elsewhere. */
  readonly spawn?: boolean
  /** Chunks an actor may be ahead of the learner before it waits (default 8). */
  readonly maxAhead?: number
  /** How often actors poll for newer parameters, in ms (default 100). */
  readonly pollMs?: number
  /** Stream entries read per XREADGROUP (default 32), and how long a read blocks when none are there (default 50). */
  readonly readCount?: number
  readonly blockMs?: number
  readonly onActor?: (event: RedisActorEvent) => void
}

/**
 * An {@link ActorStep} that came through Redis, with its place in its actor process's output: chunk `seq` (from 0 for
 * every process) and `index` inside the chunk. `(actor, incarnation, seq, index)` names a transition uniquely.
 *
 * @example
 * ```ts
 * const id = `${step.actor}:${step.incarnation}:${step.seq}:${step.index}`
 * ```
 */
export interface RedisActorStep extends ActorStep {
  readonly seq: number
  readonly index: number
}

const fromSource = import.meta.url.endsWith('.ts')
/** The actor process's entry, beside this module both in `src/actors/` and in `dist/actors/`. */
const mainPath = fileURLToPath(new URL(fromSource ? './redisMain.ts' : './redisMain.js', import.meta.url))

/**
 * The `node` arguments that run an actor process here: from `dist/` plain JS; from source (vitest, tsx) with tsx's
 * loader and the `@polyak/source` condition.
 */
const nodeArgs = (): string[] => {
  if (!fromSource) return []
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))
  return ['--conditions=@polyak/source', '--import', new URL('./dist/esm/index.mjs', tsx).href]
}

/**
 * How many actor processes started with `live` have not exited yet: `live.count()`.
 *
 * @example
 * ```ts
 * const live = liveActors()
 * redisActors({ ...options, live }).subscribe().unsubscribe() // a moment later: liveRedisActors(live) === 0
 * ```
 */
export const liveRedisActors = (live: LiveActors): number => live.count()

/**
 * The pids of the actor processes started with `live` that have not exited yet: `live.pids()`.
 *
 * @example
 * ```ts
 * const [pid] = redisActorPids(live)
 * if (pid !== undefined) process.kill(pid, 'SIGKILL') // the actor is restarted
 * ```
 */
export const redisActorPids = (live: LiveActors): number[] => live.pids()

type StreamReply = [key: Buffer, entries: [id: Buffer, fields: Buffer[] | null][]][] | null

interface Slot extends RestartCounts {
  readonly actor: number
  child: ChildProcess | undefined
}

/**
 * K actors reached through Redis, as a cold `Observable<ActorStep>` that never completes by itself (take what you
 * need). On subscribe it connects (an authentication failure errors the stream with a message that says so), writes
 * the run's actor config to `<prefix>:config`, creates the consumer group, and, with `spawn`, starts `count` actor
 * processes (`actors/redisMain`) on this machine; otherwise actors started elsewhere with the same URL and prefix join
 * (`node dist/actors/redisMain.js --url … --prefix … --actor i`).
 *
 * Transitions: an async loop reads the stream with `XREADGROUP … BLOCK blockMs` on its own connection, first the
 * entries delivered before but never acknowledged (a learner that crashed, or Redis restarted), then new ones; the
 * steps of an entry are emitted (synchronously into `remember` → `learn`), and only then is it acknowledged and
 * deleted (`XACK` + `XDEL`) and the actor's progress recorded. An entry seen twice (an actor's XADD resent after
 * Redis stored it but before it answered, or an unacknowledged entry delivered again) is dropped by its
 * `(actor, incarnation, seq)`. The learner never waits on an actor: if none has sent anything, the read times out
 * and the loop goes on; actors more than `maxAhead` chunks ahead wait for the learner's progress instead.
 *
 * Parameters: as `workerActors`, a newer version is published once `paramsEverySteps` learner steps or
 * `paramsEveryMs` have passed (`HSET <prefix>:params version meta values`, one command, so never torn); actors poll
 * it every `pollMs`.
 *
 * Crashes: a spawned process that exits while running is logged and restarted (it takes a new incarnation from
 * Redis, hence fresh seeds and a new `envIndex`); the stream errors after `maxRestarts` exits in a row without a
 * step. Redis going away is survived: every client reconnects with back-off and resends. Unsubscribing sends SIGTERM
 * to the spawned processes (SIGKILL after 3 s), and closes both connections after the last acknowledgement.
 *
 * @example
 * ```ts
 * redisActors({ url: 'redis://127.0.0.1:6379', password, prefix: 'polyak:run1', env: 'Pendulum-v1', count: 2,
 *   seed: 1, sigma: 0.2, networks, latestParams }).pipe(take(10_000), map((s) => ({ ...s.transition, envIndex: s.envIndex })), remember(config), learn(options))
 * ```
 */
export const redisActors = (options: RedisActorsOptions): Observable<RedisActorStep> =>
  new Observable<RedisActorStep>((subscriber) => {
    const {
      url,
      count,
      seed,
      prefix = 'polyak',
      spawn = true,
      maxAhead = 8,
      pollMs = 100,
      readCount = 32,
      blockMs = 50,
    } = options
    let stopped = false
    const { paramsEveryMs, acting, warmupPerActor, numbering, cadence, restarts, log } = learnerSide(
      'redisActors',
      options,
      () => stopped,
    )
    const password = options.password ?? process.env.POLYAK_REDIS_PASSWORD
    const keys = redisKeys(prefix)
    const o = options.networks.spec.observationSize
    const a = options.networks.spec.actionSize
    const lastSeq = new Map<string, number>() // `${actor}:${incarnation}` → last seq handed on
    const progress = new Map<string, number>()

    const commands = connectRedis(url, { password, name: 'polyak-learner' })
    const reader = connectRedis(url, { password, name: 'polyak-learner-reader' })
    for (const client of [commands, reader])
      client.on('error', (error: Error) => {
        if (!stopped && client.status !== 'wait') log(`redisActors: redis: ${error.message} (reconnecting)`)
      })
    const fail = (error: unknown): void => {
      if (!stopped) subscriber.error(error)
    }

    const runConfig: RedisActorsRunConfig = {
      count,
      seed,
      ...acting,
      warmupSteps: warmupPerActor,
      maxAhead,
      pollMs,
    }

    let publishing: Promise<unknown> | undefined
    const maybePublish = (): void => {
      if (stopped || publishing !== undefined) return
      cadence.publish((latest) => {
        const { names, shapes, values } = rawParams(latest.params, false)
        publishing = commands.hset(keys.params, encodeParams(latest.version, names, shapes, values)).finally(() => {
          publishing = undefined
        })
      })
    }

    const slots: Slot[] = Array.from({ length: count }, (_, actor) => ({
      actor,
      child: undefined,
      stepsSinceStart: 0,
      crashesWithoutSteps: 0,
    }))

    /** Emits the steps of one stream entry: all of them, none (a duplicate) or only a part (an unsubscribe). */
    const emit = (fields: Buffer[]): 'all' | 'duplicate' | 'partly' => {
      const chunk = decodeChunk(fields, o, a)
      const key = `${chunk.actor}:${chunk.incarnation}`
      if (chunk.seq <= (lastSeq.get(key) ?? -1)) return 'duplicate'
      const slot = slots[chunk.actor]
      if (slot !== undefined) restarts.stepped(slot, chunk.count)
      const stepOf = numbering.chunk(chunk)
      for (let i = 0; i < chunk.count && !subscriber.closed; i++) {
        subscriber.next({ ...stepOf(i), seq: chunk.seq, index: i })
        if (subscriber.closed && i + 1 < chunk.count) return 'partly'
      }
      lastSeq.set(key, chunk.seq)
      progress.set(key, chunk.seq)
      return 'all'
    }

    let closed = false
    let reading = false
    /** The reader may be blocked in XREADGROUP: drop it; the command connection closes after its queued acks. */
    const close = (): void => {
      if (closed) return
      closed = true
      reader.disconnect()
      const closer = setTimeout(() => commands.disconnect(), 2_000) // Redis away: do not wait for it
      closer.unref()
      void commands
        .quit()
        .catch(() => commands.disconnect())
        .finally(() => clearTimeout(closer))
    }

    let pendingFirst = true // our own unacknowledged entries (from before a crash or a reconnect) come first
    let readerConnections = 0
    reader.on('ready', () => {
      readerConnections += 1
      if (readerConnections > 1) pendingFirst = true // Redis restarted: acks may have been lost, re-read pending
    })
    const readLoop = async (): Promise<void> => {
      while (!stopped) {
        const reply = (await reader.xreadgroupBuffer(
          'GROUP',
          LEARNER_GROUP,
          LEARNER_GROUP,
          'COUNT',
          readCount,
          'BLOCK',
          pendingFirst ? 1 : blockMs,
          'STREAMS',
          keys.transitions,
          pendingFirst ? '0' : '>',
        )) as StreamReply
        if (stopped) return
        const entries = reply?.[0]?.[1] ?? []
        if (pendingFirst && entries.length < readCount) pendingFirst = false
        if (entries.length === 0) continue
        const ids: Buffer[] = []
        for (const [id, fields] of entries) {
          if (subscriber.closed) break
          // null: deleted meanwhile, just acknowledge it; an entry cut short by an unsubscribe stays pending
          if (fields === null || emit(fields) !== 'partly') ids.push(id)
        }
        if (ids.length === 0) continue
        const progressFields = [...progress].flatMap(([slot, seq]) => [slot, String(seq)])
        progress.clear()
        const transaction = commands.multi().xack(keys.transitions, LEARNER_GROUP, ...ids)
        transaction.xdel(keys.transitions, ...ids)
        if (progressFields.length > 0) transaction.hset(keys.progress, ...progressFields)
        void transaction.exec().catch((error: unknown) => log(`redisActors: acknowledging failed: ${String(error)}`))
        maybePublish()
      }
      close() // after the last acknowledgement was queued on the command connection
    }

    const startActor = (slot: Slot): void => {
      const child = fork(mainPath, ['--url', url, '--prefix', prefix, '--actor', String(slot.actor)], {
        execArgv: nodeArgs(),
        env: { ...process.env, ...(password === undefined ? {} : { POLYAK_REDIS_PASSWORD: password }) },
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      })
      let stderr = ''
      child.stderr?.on('data', (data: Buffer) => {
        stderr = (stderr + data.toString()).slice(-4_000)
      })
      const exited = options.live?.started(child.pid)
      slot.child = child
      slot.stepsSinceStart = 0
      const pid = child.pid ?? -1
      options.onActor?.({ type: 'started', actor: slot.actor, pid })
      child.on('exit', (code, signal) => {
        exited?.()
        if (slot.child !== child) return
        slot.child = undefined
        if (stopped) {
          options.onActor?.({ type: 'stopped', actor: slot.actor, pid })
          return
        }
        const lastLines = stderr.trim().split('\n').slice(-5).join('\n')
        const reason = `exited with ${signal ?? `code ${code}`}${lastLines === '' ? '' : `: ${lastLines}`}`
        options.onActor?.({ type: 'crashed', actor: slot.actor, pid, reason })
        const giveUp = restarts.crashed(slot, reason)
        if (giveUp !== undefined) {
          fail(giveUp)
          return
        }
        log(`redisActors: actor ${slot.actor} (pid ${pid}) ${reason}; restarting`)
        restarts.later(slot, () => startActor(slot))
      })
    }

    let publisher: ReturnType<typeof setInterval> | undefined
    const begin = async (): Promise<void> => {
      await openRedis(commands, url)
      await openRedis(reader, url)
      if (stopped) return
      await commands.set(keys.config, JSON.stringify(runConfig))
      try {
        await commands.xgroup('CREATE', keys.transitions, LEARNER_GROUP, '0', 'MKSTREAM')
      } catch (error) {
        if (!/BUSYGROUP/.test(String(error))) throw error // the group exists: continue where it was
      }
      if (stopped) return
      maybePublish()
      publisher = setInterval(maybePublish, paramsEveryMs)
      if (spawn) for (const slot of slots) startActor(slot)
      reading = true
      await readLoop()
    }
    begin()
      .catch((error: unknown) =>
        fail(
          error instanceof Error && /redis/i.test(error.message) ? error : new Error(`redisActors: ${String(error)}`),
        ),
      )
      .finally(() => {
        reading = false
        if (stopped) close()
      })

    return () => {
      stopped = true
      if (publisher !== undefined) clearInterval(publisher)
      restarts.cancel()
      for (const slot of slots) {
        const child = slot.child
        if (child === undefined) continue
        child.kill('SIGTERM')
        const killer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        }, 3_000)
        killer.unref()
        child.once('exit', () => clearTimeout(killer))
      }
      if (!reading)
        close() // else the read loop closes them once it has queued its acknowledgements…
      else setTimeout(close, 2_000).unref() // …or a blocked read (Redis away) is dropped after 2 s
    }
  })
