/**
 * The trainer's entry point (`npm start`, `polyak-train`): runs {@link main} with the process's arguments, stops the
 * run cleanly on Ctrl-C (a second Ctrl-C exits at once), and sets the exit code.
 *
 * @module bin
 */
import { main } from './main.js'

const controller = new AbortController()
const onSigint = () => {
  process.stderr.write('\nstopping (Ctrl-C again to quit at once)…\n')
  controller.abort()
  process.off('SIGINT', onSigint)
  process.once('SIGINT', () => process.exit(130))
}
process.on('SIGINT', onSigint)
const command = process.env.npm_lifecycle_event === 'start' ? 'npm start --' : 'polyak-train'
process.exitCode = await main(process.argv.slice(2), { signal: controller.signal, command })
process.off('SIGINT', onSigint)
