import { decodeOrThrow } from '@polyak/core'
import { parseArgs } from './cli.js'
import { type DemoConfig, DemoConfigCodec } from './config.js'
import { runDemo } from './demo.js'

const main = async (): Promise<number> => {
  let config: DemoConfig
  try {
    config = decodeOrThrow(DemoConfigCodec, parseArgs(process.argv.slice(2)), 'trainer config')
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    return 2
  }
  const result = await runDemo(config)
  console.log(
    `done: held-out MSE ${result.initialLoss.toFixed(3)} -> ${result.finalLoss.toFixed(4)} ` +
      `(target net ${result.targetLoss.toFixed(4)}), ${result.stepsPerSecond.toFixed(1)} steps/s`,
  )
  return 0
}

process.exitCode = await main()
