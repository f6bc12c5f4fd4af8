/**
 * Builds the artifact tree the staging benchmark packs: the same bytes for the
 * same size and seed on every machine, so figures from different runs compare.
 *
 * The mix mirrors a real build output: many small source files, a few large
 * binaries that do not compress, already-compressed files, and logs that
 * compress very well. By size: 60 % random binaries, 15 % gzip'd data, 13 %
 * sources, 12 % logs, which packs to about 79 % of the input at gzip -6.
 */
import { createCipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** Bump when the layout or content changes, so cached trees are made again. */
const GENERATOR_VERSION = 3;
const MiB = 1024 * 1024;

export interface TreeSpec {
  /** Total bytes of file content, approximately (within one small file). */
  bytes: number;
  seed: number;
}

export interface GeneratedTree {
  root: string;
  files: number;
  bytes: number;
  /** Seconds spent generating; 0 when an existing tree was reused. */
  generatedInSeconds: number;
}

/** A deterministic byte stream: AES-256-CTR over zeros, keyed by the seed and a label. Fast (GB/s) and seedable. */
class KeyStream {
  private readonly cipher;
  constructor(seed: number, label: string) {
    const key = createHash('sha256').update(`${seed}:${label}:key`).digest();
    const iv = createHash('sha256').update(`${seed}:${label}:iv`).digest().subarray(0, 16);
    this.cipher = createCipheriv('aes-256-ctr', key, iv);
  }
  bytes(n: number): Buffer {
    return this.cipher.update(Buffer.alloc(n));
  }
}

/** mulberry32: a small seeded PRNG for choices (sizes, words), where speed per call matters more than quality. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'const let function return if else for while import export from async await class interface type extends ' +
  'string number boolean undefined null true false new this throw try catch finally switch case default break ' +
  'value result options config request response error message items index count buffer stream chunk path name ' +
  'resolve reject promise callback handler context state render update create delete read write open close'
).split(' ');

function sourceFile(random: () => number, size: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  let indent = 0;
  while (length < size) {
    const words = 3 + Math.floor(random() * 9);
    let line = '  '.repeat(indent);
    for (let w = 0; w < words; w++) line += (w ? ' ' : '') + WORDS[Math.floor(random() * WORDS.length)]!;
    // Identifiers and literals make the text less repetitive than plain vocabulary.
    line += random() < 0.5 ? ` = ${Math.floor(random() * 100000)};` : ` (id${Math.floor(random() * 5000)}) {`;
    indent = Math.max(0, Math.min(6, indent + (random() < 0.5 ? 1 : -1)));
    lines.push(line);
    length += line.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n').subarray(0, size);
}

const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'];
const MESSAGES = [
  'request completed status=200 duration_ms=',
  'cache hit for key build/artifacts/item-',
  'retrying upload of block ',
  'worker heartbeat ok queue_depth=',
  'compiled module src/components/widget',
  'test passed: should handle case ',
];

function logChunk(random: () => number, clock: { t: number }, size: number): Buffer {
  let out = '';
  while (out.length < size) {
    clock.t += Math.floor(random() * 50);
    const level = LEVELS[Math.floor(random() * LEVELS.length)]!;
    const message = MESSAGES[Math.floor(random() * MESSAGES.length)]!;
    out += `${new Date(clock.t).toISOString()} [${level}] ${message}${Math.floor(random() * 1000)}\n`;
  }
  return Buffer.from(out).subarray(0, size);
}

function writeInPieces(file: string, total: number, piece: (n: number) => Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < total; ) {
      const data = piece(Math.min(4 * MiB, total - done));
      fs.writeSync(fd, data);
      done += data.length;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function generate(root: string, spec: TreeSpec): { files: number; bytes: number } {
  const random = prng(spec.seed);
  let files = 0;
  let bytes = 0;
  const largeFile = Math.max(MiB, Math.min(64 * MiB, Math.floor(spec.bytes / 16)));

  // 60 %: large random binaries.
  const binaries = new KeyStream(spec.seed, 'bin');
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  for (let left = Math.floor(spec.bytes * 0.6), i = 0; left > 0; i++) {
    const size = Math.min(left, Math.floor(largeFile * (0.5 + random())));
    writeInPieces(path.join(root, 'bin', `payload-${String(i).padStart(3, '0')}.bin`), size, (n) => binaries.bytes(n));
    left -= size;
    bytes += size;
    files++;
  }

  // 15 %: already-compressed files (gzip'd random data, as in .tar.gz or .nupkg dependencies).
  const packed = new KeyStream(spec.seed, 'gz');
  fs.mkdirSync(path.join(root, 'vendor'), { recursive: true });
  for (let left = Math.floor(spec.bytes * 0.15), i = 0; left > 0; i++) {
    const size = Math.min(left, Math.floor((largeFile / 4) * (0.5 + random())));
    // Level 1: what matters is that the content is compressed output, not how hard it was squeezed.
    const data = zlib.gzipSync(packed.bytes(size), { level: 1 });
    fs.writeFileSync(path.join(root, 'vendor', `dependency-${String(i).padStart(3, '0')}.tgz`), data);
    left -= data.length;
    bytes += data.length;
    files++;
  }

  // 12 %: logs.
  fs.mkdirSync(path.join(root, 'logs'), { recursive: true });
  const clock = { t: Date.UTC(2026, 0, 1) };
  for (let left = Math.floor(spec.bytes * 0.12), i = 0; left > 0; i++) {
    const size = Math.min(left, Math.floor((largeFile / 2) * (0.5 + random())));
    writeInPieces(path.join(root, 'logs', `build-${String(i).padStart(3, '0')}.log`), size, (n) => logChunk(random, clock, n));
    left -= size;
    bytes += size;
    files++;
  }

  // 13 %: many small sources in nested folders, 1-16 KiB each. Not named .ts: tsconfig compiles bench/**/*.ts.
  for (let left = Math.floor(spec.bytes * 0.13), i = 0; left > 0; i++) {
    const dir = path.join(root, 'src', `pkg${String(i >> 8).padStart(3, '0')}`, `mod${String((i >> 4) & 15).padStart(2, '0')}`);
    if ((i & 15) === 0) fs.mkdirSync(dir, { recursive: true });
    const size = Math.min(left, 1024 + Math.floor(random() * 15 * 1024));
    fs.writeFileSync(path.join(dir, `file${String(i & 15).padStart(2, '0')}.cs`), sourceFile(random, size));
    left -= size;
    bytes += size;
    files++;
  }
  return { files, bytes };
}

/** The tree for `spec` under `workDir`, made on first use and reused while its marker matches. */
export function ensureTree(workDir: string, name: string, spec: TreeSpec): GeneratedTree {
  const root = path.join(workDir, name);
  const marker = path.join(workDir, `${name}.json`);
  const wanted = { version: GENERATOR_VERSION, ...spec };
  try {
    const existing = JSON.parse(fs.readFileSync(marker, 'utf8')) as typeof wanted & { files: number; totalBytes: number };
    if (existing.version === wanted.version && existing.bytes === spec.bytes && existing.seed === spec.seed && fs.existsSync(root)) {
      return { root, files: existing.files, bytes: existing.totalBytes, generatedInSeconds: 0 };
    }
  } catch {
    // No usable marker: make the tree.
  }
  fs.rmSync(marker, { force: true });
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  const started = process.hrtime.bigint();
  const made = generate(root, spec);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The marker is written last, so an interrupted generation is redone next time.
  fs.writeFileSync(marker, JSON.stringify({ ...wanted, files: made.files, totalBytes: made.bytes }) + '\n');
  return { root, files: made.files, bytes: made.bytes, generatedInSeconds: seconds };
}
