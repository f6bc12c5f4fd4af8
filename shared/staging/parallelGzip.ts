/**
 * gzip on several cores: the input is cut into members of about 1 MiB, each
 * compressed on a worker thread as an independent gzip stream, and the members
 * are written out in input order. RFC 1952 allows a gzip file to be a series
 * of members; gzip, GNU tar, libarchive (bsdtar) and Node's gunzip read them
 * as one stream.
 *
 * Data that does not compress (random bytes, archives, images) is stored
 * instead of deflated: deflate at level 6 spends about ten times the CPU of a
 * plain copy on it to save nothing. Each 64 KiB segment is judged by the
 * entropy of a sample of its bytes; runs of segments with the same verdict
 * become one member each, so compressible text keeps its full deflate window.
 *
 * Memory stays bounded: at most two members per worker are in flight, and the
 * transform waits for the oldest before it takes more input.
 */
import * as os from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { Worker } from 'node:worker_threads';

export interface ParallelGzipOptions {
  /** Deflate level for data that compresses, 1-9. Default 6, as `gzip` and `tar -z`. */
  level?: number;
  /** Worker threads. Default: the available cores but one, at least 1 and at most 4. */
  workers?: number;
  /** Input bytes per unit of work. Default 1 MiB. */
  memberBytes?: number;
  /** Store (level 0) segments that look incompressible. Default true. */
  storeIncompressible?: boolean;
}

const DEFAULT_MEMBER_BYTES = 1024 * 1024;
/** Segment size for the compress-or-store verdict. */
export const SEGMENT_BYTES = 64 * 1024;
/**
 * Order-0 entropy (bits per byte) above which a segment is stored. Random and
 * already-compressed data sample at about 7.95 (4096 samples of 256 values);
 * text is near 5 and machine code near 6.5, and those are deflated.
 */
export const STORE_ENTROPY_BITS = 7.6;

/**
 * True when a sample of `segment` (every 16th byte, up to 4096 of them) has
 * near-maximal entropy. Self-contained: its source also runs in the workers.
 */
export function looksIncompressible(segment: Uint8Array, thresholdBits: number): boolean {
  const stride = segment.length >= 4096 * 16 ? 16 : Math.max(1, Math.floor(segment.length / 4096));
  const counts = new Uint32Array(256);
  let samples = 0;
  for (let i = 0; i < segment.length; i += stride) {
    counts[segment[i]!]!++;
    samples++;
  }
  // Too few samples say nothing: small tails are simply deflated.
  if (samples < 1024) return false;
  let bits = 0;
  for (let v = 0; v < 256; v++) {
    const c = counts[v]!;
    if (c > 0) {
      const p = c / samples;
      bits -= p * Math.log2(p);
    }
  }
  return bits > thresholdBits;
}

export interface MemberSettings {
  level: number;
  storeIncompressible: boolean;
  segmentBytes: number;
  thresholdBits: number;
}

/**
 * One unit of input as one or more complete gzip members: a member per run of
 * segments with the same compress-or-store verdict. Self-contained (its
 * helpers come in as arguments), because its source also runs in the workers.
 */
export function compressMember(
  data: Uint8Array,
  settings: MemberSettings,
  gzipSync: (data: Uint8Array, options: { level: number }) => Uint8Array,
  incompressible: (segment: Uint8Array, thresholdBits: number) => boolean,
): Uint8Array[] {
  if (!settings.storeIncompressible || settings.level === 0) return [gzipSync(data, { level: settings.level })];
  const out: Uint8Array[] = [];
  let runStart = 0;
  let runStore: boolean | undefined;
  for (let at = 0; at < data.length; at += settings.segmentBytes) {
    const store = incompressible(data.subarray(at, at + settings.segmentBytes), settings.thresholdBits);
    if (runStore !== undefined && store !== runStore) {
      out.push(gzipSync(data.subarray(runStart, at), { level: runStore ? 0 : settings.level }));
      runStart = at;
    }
    runStore = store;
  }
  // An empty input still makes one (empty) member, so the output is always a valid gzip file.
  out.push(gzipSync(data.subarray(runStart), { level: runStore ? 0 : settings.level }));
  return out;
}

/**
 * The worker: compresses what it is sent and sends back the members and the
 * input buffer (for reuse), both transferred rather than copied.
 *
 * Why so careful with buffers: V8 collects dead ArrayBuffers of an isolate
 * only after tens of MB of them pile up, and every worker is an isolate of its
 * own. Recycling the input buffers and giving zlib one output chunk large
 * enough for the whole member leaves the workers next to no garbage.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
const incompressible = (${looksIncompressible.toString()});
const compressMember = (${compressMember.toString()});
const gzipSync = (data, options) =>
  zlib.gzipSync(data, { ...options, chunkSize: Math.max(1024, data.length + (data.length >> 11) + 1024) });
parentPort.on('message', ({ id, input, length, settings }) => {
  try {
    const members = compressMember(new Uint8Array(input, 0, length), settings, gzipSync, incompressible);
    let out = members[0];
    // Small outputs may sit in Node's shared allocation pool, which must not be transferred: copy those.
    if (members.length > 1 || out.length < 65536) {
      const joined = new Uint8Array(members.reduce((n, m) => n + m.length, 0));
      let at = 0;
      for (const m of members) { joined.set(m, at); at += m.length; }
      out = joined;
    }
    parentPort.postMessage({ id, input, output: out.buffer, offset: out.byteOffset, length: out.length }, [input, out.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, input, error: String((error && error.stack) || error) }, [input]);
  }
});
`;

interface Job {
  id: number;
  done: Promise<Buffer>;
}

interface WorkerReply {
  id: number;
  input: ArrayBuffer;
  output?: ArrayBuffer;
  offset?: number;
  length?: number;
  error?: string;
}

interface Waiting {
  id: number;
  input: ArrayBuffer;
  length: number;
  resolve(b: Buffer): void;
  reject(e: Error): void;
}

class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: Waiting[] = [];
  private readonly pending = new Map<number, Waiting>();
  /** Input buffers back from the workers, ready for the next member. */
  private readonly spare: ArrayBuffer[] = [];
  private failure: Error | undefined;

  constructor(
    count: number,
    private readonly settings: MemberSettings,
    private readonly inputCapacity: number,
  ) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on('message', (message: WorkerReply) => this.onMessage(worker, message));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a gzip worker thread exited with code ${code}`));
      });
      // An idle worker must not keep the process alive (a stream nobody finishes); a busy one must.
      worker.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** A buffer to fill with at least `bytes` of input: a recycled one when it is big enough. */
  inputBuffer(bytes: number): ArrayBuffer {
    if (bytes > this.inputCapacity) return new ArrayBuffer(bytes);
    return this.spare.pop() ?? new ArrayBuffer(this.inputCapacity);
  }

  /** Compresses the first `length` bytes of `input` (handed over to the worker) into gzip members. */
  compress(id: number, input: ArrayBuffer, length: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting.push({ id, input, length, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.waiting.shift()!;
      this.pending.set(job.id, job);
      worker.ref();
      worker.postMessage({ id: job.id, input: job.input, length: job.length, settings: this.settings }, [job.input]);
    }
  }

  private onMessage(worker: Worker, message: WorkerReply): void {
    const job = this.pending.get(message.id);
    this.pending.delete(message.id);
    worker.unref();
    this.idle.push(worker);
    if (message.input.byteLength === this.inputCapacity) this.spare.push(message.input);
    if (job) {
      if (message.output) job.resolve(Buffer.from(message.output, message.offset, message.length));
      else job.reject(new Error(`gzip worker failed: ${message.error}`));
    }
    this.dispatch();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const job of [...this.pending.values(), ...this.waiting]) job.reject(error);
    this.pending.clear();
    this.waiting.length = 0;
  }
}

/**
 * One core is left to the main thread, which reads files, writes tar headers,
 * hashes and encrypts the upload; each worker also costs about 10 MB of memory.
 */
function defaultWorkerCount(): number {
  return Math.max(1, Math.min(os.availableParallelism() - 1, 4));
}

/** A transform from bytes to a multi-member gzip stream of them. */
export function createParallelGzip(options: ParallelGzipOptions = {}): Transform {
  return new ParallelGzip(options);
}

class ParallelGzip extends Transform {
  private readonly memberBytes: number;
  private readonly maxInFlight: number;
  private readonly pool: WorkerPool;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private nextId = 0;
  private sentAny = false;
  /** Jobs in input order; the head is written out first. */
  private readonly queue: Job[] = [];

  constructor(options: ParallelGzipOptions) {
    const memberBytes = options.memberBytes ?? DEFAULT_MEMBER_BYTES;
    super({ readableHighWaterMark: memberBytes, writableHighWaterMark: memberBytes });
    const level = options.level ?? 6;
    if (!Number.isInteger(level) || level < 0 || level > 9) throw new RangeError(`gzip level must be 0-9, not ${level}`);
    const workers = options.workers ?? defaultWorkerCount();
    this.memberBytes = memberBytes;
    this.maxInFlight = workers * 2;
    const settings: MemberSettings = {
      level,
      storeIncompressible: options.storeIncompressible ?? true,
      segmentBytes: SEGMENT_BYTES,
      thresholdBits: STORE_ENTROPY_BITS,
    };
    // A unit is sent once it reaches memberBytes, so it holds less than that plus one incoming chunk.
    this.pool = new WorkerPool(workers, settings, 2 * memberBytes + 64 * 1024);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    if (this.bufferedBytes >= this.memberBytes) this.send();
    if (this.queue.length < this.maxInFlight) return callback();
    this.writeHead().then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bufferedBytes > 0 || !this.sentAny) this.send();
    (async () => {
      while (this.queue.length > 0) await this.writeHead();
    })().then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.pool.close().then(
      () => callback(error),
      () => callback(error),
    );
  }

  /** Copies what is buffered into a pool buffer and hands it to a worker (the caller's buffers are never detached). */
  private send(): void {
    const length = this.bufferedBytes;
    const input = this.pool.inputBuffer(length);
    const view = new Uint8Array(input);
    let at = 0;
    for (const piece of this.buffered) {
      view.set(piece, at);
      at += piece.length;
    }
    this.buffered = [];
    this.bufferedBytes = 0;
    this.sentAny = true;
    const id = this.nextId++;
    const job: Job = { id, done: this.pool.compress(id, input, length) };
    // Marked handled here; the error surfaces when the job reaches the head.
    job.done.catch(() => undefined);
    this.queue.push(job);
  }

  /** Waits for the oldest job and writes its members out. */
  private async writeHead(): Promise<void> {
    const job = this.queue[0]!;
    const output = await job.done;
    this.queue.shift();
    this.push(output);
  }
}
