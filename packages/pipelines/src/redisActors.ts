/**
 * Where `runExperiment` imports {@link redisActors} from; the transport itself lives in `actors/redis` (and the
 * actor process's entry in `actors/redisMain`). Import `actors/redis.js` in new code.
 *
 * @module redisActors
 */
export { redisActors } from './actors/redis.js'
