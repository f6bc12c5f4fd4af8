/**
 * Packs a folder (or one file) into an archive as a stream: no temporary
 * archive on disk, and memory bounded by the stream buffers whatever the size
 * of the input, because files are read only as fast as the consumer (the
 * upload) takes the bytes.
 */
import { Readable, pipeline } from 'node:stream';
import { ZipFile } from 'yazl';
import { createParallelGzip } from './parallelGzip';
import { tarStream } from './tarWriter';
import { walk, type SkipReason } from './walk';

export type ArchiveFormat = 'tar.gz' | 'zip';

export interface PackOptions {
  /** Called for each entry that cannot be archived (socket, FIFO, device, a name that is not UTF-8) and is left out. */
  onSkipped?(name: string, reason: SkipReason): void;
  /** Deflate level, 0-9. Default 6, what `tar -czf` and PowerShell's Compress-Archive use. */
  compressionLevel?: number;
}

/** The archive of `packagePath`: a folder's contents at the archive root, or a single file under its own name. */
export function packDirectory(packagePath: string, format: ArchiveFormat, options: PackOptions = {}): Readable {
  return format === 'tar.gz' ? packTarGz(packagePath, options) : packZip(packagePath, options);
}

function packTarGz(packagePath: string, options: PackOptions): Readable {
  const tar = tarStream(walk(packagePath), options.onSkipped);
  // Multi-member gzip compressed on worker threads, storing what does not compress (see parallelGzip.ts).
  const gzip = createParallelGzip({ level: options.compressionLevel ?? 6 });
  // pipeline destroys the gzip stream with the error when reading a file fails, so the consumer sees it.
  pipeline(tar, gzip, () => undefined);
  return gzip;
}

/** Unix mode bits for a symbolic link entry, as Info-ZIP writes them, so `unzip` recreates the link. */
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

function packZip(packagePath: string, options: PackOptions): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  const compressionLevel = options.compressionLevel ?? 6;
  zip.on('error', (err: Error) => output.destroy(err));
  // yazl reads each file lazily when its turn comes and pipes it with back-pressure,
  // so adding entries as the walk finds them keeps only their metadata in memory.
  (async () => {
    for await (const entry of walk(packagePath)) {
      switch (entry.kind) {
        case 'directory':
          zip.addEmptyDirectory(entry.name, { mode: S_IFDIR | entry.mode, mtime: entry.mtime });
          break;
        case 'file':
          zip.addFile(entry.absolutePath, entry.name, {
            mode: S_IFREG | entry.mode,
            mtime: entry.mtime,
            compress: compressionLevel > 0,
            compressionLevel,
          });
          break;
        case 'symlink':
          zip.addBuffer(Buffer.from(entry.target), entry.name, { mode: S_IFLNK | entry.mode, mtime: entry.mtime, compress: false });
          break;
        case 'skipped':
          options.onSkipped?.(entry.name, entry.reason);
          break;
      }
    }
    zip.end();
  })().catch((err: unknown) => output.destroy(err instanceof Error ? err : new Error(String(err))));
  return output;
}
