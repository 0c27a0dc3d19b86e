import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeBinaryFileSafely } from '../../lib/cli/write-binary';

describe('writeBinaryFileSafely', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-bin-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes every byte value unchanged (no text encoding on the way)', () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const target = path.join(dir, 'all-bytes.bin');
    writeBinaryFileSafely(target, bytes);
    expect(fs.readFileSync(target).equals(bytes)).toBe(true);
  });

  test('keeps the safe writer\'s rules: no replacement without force, no temporary file left', () => {
    const target = path.join(dir, 'x.png');
    writeBinaryFileSafely(target, Buffer.from([1, 2, 3]));
    expect(() => writeBinaryFileSafely(target, Buffer.from([4]))).toThrow(/exists; pass --force to replace it/);
    writeBinaryFileSafely(target, Buffer.from([4]), { force: true });
    expect([...fs.readFileSync(target)]).toEqual([4]);
    expect(fs.readdirSync(dir)).toEqual(['x.png']);
  });
});
