import { describe, expect, it } from 'vitest';
import { CaptureBuffer, CaptureChunks } from '../core/CaptureBuffer.js';
import { CaptureSpillFile } from './CaptureSpillFile.js';
import { captureSpillFiles } from '../../test/support/captureSpillFiles.js';

const A = { address: '127.0.0.1', port: 40000 };
const B = { address: '127.0.0.1', port: 40002 };
/** One 20 ms G.711 packet's worth (RTP header and payload), numbered so that each is told apart. */
const rtp = (i: number) => Uint8Array.from({ length: 172 }, (_, j) => (i * 7 + j) & 0xff);

function fill(buffer: CaptureBuffer, count: number, from = 0): void {
  for (let i = from; i < from + count; i++) expect(buffer.add(1_700_000_000_000 + i * 10, 'UDP', i % 2 ? A : B, i % 2 ? B : A, rtp(i))).toBe(true);
}

function expectWhole(buffer: CaptureBuffer, count: number): void {
  const got = buffer.packets();
  expect(got).toHaveLength(count);
  got.forEach((packet, i) => {
    expect(packet.at).toBe(1_700_000_000_000 + i * 10);
    expect(packet.source).toEqual(i % 2 ? A : B);
    expect(Buffer.from(packet.payload).equals(Buffer.from(rtp(i)))).toBe(true);
  });
}

/** A capture over a spill file of its own, as the world builds one for its calls. */
function capture(dir?: string): { spill: CaptureSpillFile; chunks: CaptureChunks; buffer: CaptureBuffer } {
  const spill = new CaptureSpillFile(dir);
  const chunks = new CaptureChunks(spill);
  return { spill, chunks, buffer: new CaptureBuffer(100_000, chunks) };
}

/** The links /proc shows for this process's open spill files. */
const spillFiles = () => captureSpillFiles()?.map((file) => file.target);

describe('CaptureSpillFile', () => {
  it("keeps only the chunk being filled in memory; full ones go to a file nobody else can open, and come back whole", () => {
    const before = spillFiles()?.length ?? 0;
    const { spill, chunks, buffer } = capture();
    // 2,000 packets of 192 bytes with their headers: six 64 KiB chunks.
    fill(buffer, 2_000);
    expect(chunks.inUse).toBe(6);
    expect(chunks.inMemory).toBe(1);
    expect(chunks.spillProblem).toBeUndefined();
    expectWhole(buffer, 2_000);
    const files = spillFiles();
    if (files) {
      // Unlinked as soon as it was open: gone from the directory, and with the process.
      expect(files).toHaveLength(before + 1);
      expect(files.at(-1)).toMatch(/omnisip-capture-\d+-[0-9a-f]+ \(deleted\)$/);
    }
    spill.close();
    expect(spillFiles()?.length ?? 0).toBe(before);
  });

  it("lets an ended call's last chunk leave memory too, and keeps capturing after it", () => {
    const { spill, chunks, buffer } = capture();
    fill(buffer, 50);
    buffer.seal();
    expect(chunks.inMemory).toBe(0);
    expectWhole(buffer, 50);
    fill(buffer, 10, 50);
    expectWhole(buffer, 60);
    spill.close();
  });

  it('writes the chunks of calls that come and go over the same places, so the file does not grow with them', () => {
    const spill = new CaptureSpillFile();
    const chunks = new CaptureChunks(spill);
    for (let call = 0; call < 20; call++) {
      const buffer = new CaptureBuffer(100_000, chunks);
      fill(buffer, 1_000);
      expectWhole(buffer, 1_000);
      buffer.release();
    }
    expect(chunks.inUse).toBe(0);
    expect(chunks.extent).toBe(3);
    spill.close();
  });

  it('keeps the chunks in memory, and says why, when the spill file cannot be made', () => {
    const { chunks, buffer } = capture('/nonexistent/omnisip-capture-test');
    fill(buffer, 2_000);
    expect(chunks.inMemory).toBe(6);
    expect(chunks.spillProblem).toMatch(/^cannot make the capture spill file \/nonexistent\/omnisip-capture-test\/omnisip-capture-.*ENOENT.*captures stay in memory$/);
    expectWhole(buffer, 2_000);
  });

  it('says so when a spilled chunk is read after the file was closed, and keeps later chunks in memory', () => {
    const { spill, chunks, buffer } = capture();
    fill(buffer, 400);
    spill.close();
    expect(() => buffer.packets()).toThrow(/the capture spill file is closed; the chunk at 0 cannot be read/);
    const later = new CaptureBuffer(100_000, chunks);
    fill(later, 400);
    expect(chunks.spillProblem).toBe('the capture spill file is closed; captures stay in memory');
    expectWhole(later, 400);
  });
});
