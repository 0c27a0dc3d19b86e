/**
 * Binary output files (the `cost --plot` PNG) through the CLI's one safe writer: atomic, mode 0600,
 * never replacing a file without --force. `writeFileSafely` is typed for text, but what it hands the
 * bytes to (`fs.writeSync`) writes a Buffer unchanged; the test of this file reads the bytes back.
 */
import { writeFileSafely, WriteOptions } from './write';

export function writeBinaryFileSafely(target: string, bytes: Buffer, options: WriteOptions = {}): void {
  writeFileSafely(target, bytes as unknown as string, options);
}
