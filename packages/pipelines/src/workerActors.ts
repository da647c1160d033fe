/**
 * Where `runExperiment` imports {@link workerActors} from; the transport itself lives in `actors/workers` (and the
 * thread entry in `actors/worker`). Import `actors/workers.js` in new code.
 *
 * @module workerActors
 */
export { workerActors } from './actors/workers.js'
