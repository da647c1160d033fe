import { describe, expect, it } from 'vitest'
import { drawSegment, fillCircle, makeFrame, pixelAt } from './Frame.js'

const painted = (frame: ReturnType<typeof makeFrame>): number => {
  let count = 0
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) if (pixelAt(frame, x, y)[0] === 0) count++
  }
  return count
}

describe('Frame', () => {
  it('makes a frame of one colour, row-major RGB', () => {
    const frame = makeFrame(3, 2, [1, 2, 3])
    expect(frame.data.length).toBe(18)
    expect(Array.from(frame.data.subarray(15))).toEqual([1, 2, 3])
    expect(pixelAt(makeFrame(2, 2), 1, 1)).toEqual([255, 255, 255])
  })

  it('fills the pixels of a disc, and nothing outside it', () => {
    const frame = makeFrame(11, 11)
    fillCircle(frame, 5, 5, 2, [0, 0, 0])
    expect(pixelAt(frame, 5, 5)).toEqual([0, 0, 0])
    expect(pixelAt(frame, 7, 5)).toEqual([0, 0, 0])
    expect(pixelAt(frame, 7, 7)).toEqual([255, 255, 255]) // distance √8 > 2
    expect(painted(frame)).toBe(13) // the lattice points within distance 2
  })

  it('draws a thick segment with round caps', () => {
    const frame = makeFrame(10, 5)
    drawSegment(frame, 2, 2, 7, 2, 1, [0, 0, 0])
    expect(painted(frame)).toBe(6) // x = 2 … 7 on row 2
    expect(pixelAt(frame, 1, 2)).toEqual([255, 255, 255])
    const diagonal = makeFrame(10, 10)
    drawSegment(diagonal, 0, 0, 9, 9, 1, [0, 0, 0])
    expect(pixelAt(diagonal, 4, 4)).toEqual([0, 0, 0])
    expect(pixelAt(diagonal, 4, 6)).toEqual([255, 255, 255])
  })

  it('clips shapes at the border, and pixelAt rejects points outside', () => {
    const frame = makeFrame(4, 4)
    fillCircle(frame, -1, -1, 2, [0, 0, 0])
    drawSegment(frame, -10, 3, 20, 3, 1, [0, 0, 0])
    expect(pixelAt(frame, 0, 0)).toEqual([0, 0, 0])
    expect(pixelAt(frame, 3, 3)).toEqual([0, 0, 0])
    expect(() => pixelAt(frame, 4, 0)).toThrow('(4, 0) is outside the 4 × 4 frame')
  })
})
