/**
 * The benchmark's entry point (`npm run benchmark`): runs {@link main} with the process's arguments, stops on Ctrl-C
 * (the running trainers are stopped and start again from scratch next time; a second Ctrl-C exits at once), and
 * sets the exit code.
 *
 * @module bin
 */
import { main } from './main.js'

const controller = new AbortController()
const onSigint = () => {
  process.stderr.write('\nstopping the running trainers (Ctrl-C again to quit at once)…\n')
  controller.abort()
  process.off('SIGINT', onSigint)
  process.once('SIGINT', () => process.exit(130))
}
process.on('SIGINT', onSigint)
process.exitCode = await main(process.argv.slice(2), { signal: controller.signal })
process.off('SIGINT', onSigint)
