/**
 * Entry point of `npm run drive`: runs {@link main} with the process's arguments and sets the exit code.
 *
 * @module bin
 */
import { main } from './cli.js'

process.exitCode = await main(process.argv.slice(2))
