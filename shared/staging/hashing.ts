/**
 * SHA-256 and byte count of a stream, computed as the bytes pass through, so
 * the archive is never read twice.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export interface StreamDigest {
  /** Lowercase hex. */
  sha256: string;
  sizeBytes: number;
}

export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private result: StreamDigest | undefined;

  constructor(private readonly onBytes?: (bytesSoFar: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.result = { sha256: this.hash.digest('hex'), sizeBytes: this.bytes };
    callback();
  }

  /** The digest of everything that passed; only valid once the stream has ended. */
  digest(): StreamDigest {
    if (!this.result) throw new Error('the digest is only known once the stream has ended');
    return this.result;
  }
}
