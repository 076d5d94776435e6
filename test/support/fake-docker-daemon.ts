import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * A stand-in for the Docker daemon, enough for `docker build` with the classic builder
 * (`DOCKER_BUILDKIT=0`): it answers the CLI's ping, keeps the build context the CLI uploads (the
 * body of `POST /v1.NN/build`, a tar, gzip-compressed with `--compress`) and reports a successful
 * build. Anything else the CLI asks is recorded and answered 404 with a JSON message, as the daemon
 * does for unknown routes.
 */

export const FAKE_API_VERSION = '1.47';

/** One request the CLI made. */
export interface DaemonRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/** One build request: its query and the build context it carried. */
export interface BuildRequest extends DaemonRequest {
  query: URLSearchParams;
  /** `buildargs` decoded (`--build-arg K=V`), used to tell concurrent builds apart. */
  buildArgs: Record<string, string | null>;
  /** The uploaded context, decompressed: a tar stream. */
  context: Buffer;
  /** True when the CLI sent it gzip-compressed. */
  compressed: boolean;
}

export interface FakeDockerDaemon {
  /** `unix:///…`, for DOCKER_HOST. */
  host: string;
  socketPath: string;
  /** Every request, in arrival order. */
  requests: DaemonRequest[];
  builds: BuildRequest[];
  /** The build whose `--build-arg` `key` had `value`, if it arrived. */
  findBuild(key: string, value: string): BuildRequest | undefined;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const PING_HEADERS = {
  'API-Version': FAKE_API_VERSION,
  'Builder-Version': '1',
  'Docker-Experimental': 'false',
  OSType: 'linux',
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
};

function imageId(n: number): string {
  return 'sha256:' + n.toString(16).padStart(64, '0');
}

/** Start the fake daemon on a fresh unix socket (or `socketPath`). */
export async function startFakeDockerDaemon(socketPath?: string): Promise<FakeDockerDaemon> {
  let dir: string | null = null;
  if (socketPath === undefined) {
    dir = mkdtempSync(path.join(tmpdir(), 'fake-dockerd-'));
    socketPath = path.join(dir, 'docker.sock');
  }
  const requests: DaemonRequest[] = [];
  const builds: BuildRequest[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://docker');
    // Routes may carry a version prefix (`/v1.47/build`); the ping is also asked without one.
    const route = url.pathname.replace(/^\/v[0-9.]+(?=\/)/, '');
    const record: DaemonRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    requests.push(record);
    const body = await readBody(req);

    if (route === '/_ping') {
      res.writeHead(200, { ...PING_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '2' });
      res.end(req.method === 'HEAD' ? undefined : 'OK');
      return;
    }
    if (route === '/version' && req.method === 'GET') {
      const version = { Version: '28.2.2', ApiVersion: FAKE_API_VERSION, MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64' };
      res.writeHead(200, { 'API-Version': FAKE_API_VERSION, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(version));
      return;
    }
    if (route === '/build' && req.method === 'POST') {
      const compressed = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
      let buildArgs: Record<string, string | null> = {};
      try {
        buildArgs = JSON.parse(url.searchParams.get('buildargs') ?? '{}') as Record<string, string | null>;
      } catch {
        // keep it empty: the build is still recorded
      }
      builds.push({
        ...record,
        query: url.searchParams,
        buildArgs,
        context: compressed ? gunzipSync(body) : body,
        compressed,
      });
      res.writeHead(200, { 'API-Version': FAKE_API_VERSION, 'Content-Type': 'application/json' });
      res.write(JSON.stringify({ stream: 'ok\n' }) + '\n');
      res.end(JSON.stringify({ aux: { ID: imageId(builds.length) } }) + '\n');
      return;
    }
    res.writeHead(404, { 'API-Version': FAKE_API_VERSION, 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: `page not found: ${req.method} ${url.pathname}` }) + '\n');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }) + '\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });

  return {
    host: `unix://${socketPath}`,
    socketPath,
    requests,
    builds,
    findBuild: (key, value) => builds.find((b) => b.buildArgs[key] === value),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          if (dir !== null) rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

// ---------------------------------------------------------------- tar

/** One member of a tar stream, with the fields a build context comparison needs. */
export interface TarEntry {
  /** Name as stored (PAX `path` and GNU long names applied), without a trailing `/`. */
  path: string;
  /** The raw type flag (`0` file, `1` hard link, `2` symlink, `5` dir, `6` FIFO, …). */
  typeflag: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  /** Bytes of content in the archive (0 for links, directories, devices). */
  size: number;
  linkname: string;
  mode: number;
}

function cString(block: Buffer, start: number, length: number): Buffer {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return nul === -1 ? field : field.subarray(0, nul);
}

function octal(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian, high bit of the first byte set.
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = cString(block, start, length).toString('latin1').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** PAX records: `"<len> <key>=<value>\n"` repeated. */
function parsePax(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const length = parseInt(data.subarray(pos, space).toString('latin1'), 10);
    if (!Number.isFinite(length) || length <= 0) throw new Error(`bad PAX record at byte ${pos}`);
    const record = data.subarray(space + 1, pos + length - 1); // without the trailing newline
    const eq = record.indexOf(0x3d);
    records.set(record.subarray(0, eq).toString('utf8'), record.subarray(eq + 1));
    pos += length;
  }
  return records;
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === octal(block, 148, 8);
}

const TYPE_NAMES: Record<string, TarEntry['type']> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '5': 'dir' };

/**
 * Read a tar stream (ustar, GNU long names `L`/`K`, PAX `x`/`g` headers). Names are decoded as
 * UTF-8. Throws on a damaged header; a stream that ends without the two zero blocks is accepted
 * (the Docker CLI closes the archive early when its walk fails).
 */
export function readTar(data: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: Buffer | null = null;
  let longLink: Buffer | null = null;
  let pax = new Map<string, Buffer>();
  let globalPax = new Map<string, Buffer>();
  while (pos + 512 <= data.length) {
    const block = data.subarray(pos, pos + 512);
    pos += 512;
    if (block.every((b) => b === 0)) break;
    if (!checksumOk(block)) throw new Error(`tar: bad header checksum at byte ${pos - 512}`);
    const typeflag = String.fromCharCode(block[156]!);
    let size = octal(block, 124, 12);
    const paxSize = pax.get('size') ?? globalPax.get('size');
    if (paxSize !== undefined) size = Number(paxSize.toString('latin1'));
    const contentStart = pos;
    pos += Math.ceil(size / 512) * 512;
    if (pos > data.length) throw new Error('tar: truncated member content');
    const content = data.subarray(contentStart, contentStart + size);

    if (typeflag === 'L') {
      longName = cString(content, 0, content.length);
      continue;
    }
    if (typeflag === 'K') {
      longLink = cString(content, 0, content.length);
      continue;
    }
    if (typeflag === 'x') {
      pax = parsePax(content);
      continue;
    }
    if (typeflag === 'g') {
      globalPax = parsePax(content);
      continue;
    }

    let name = cString(block, 0, 100);
    const magic = block.subarray(257, 263).toString('latin1');
    if (magic === 'ustar\0') {
      const prefix = cString(block, 345, 155);
      if (prefix.length > 0) name = Buffer.concat([prefix, Buffer.from('/'), name]);
    }
    const nameBytes = pax.get('path') ?? longName ?? globalPax.get('path') ?? name;
    const linkBytes = pax.get('linkpath') ?? longLink ?? globalPax.get('linkpath') ?? cString(block, 157, 100);
    let entryPath = nameBytes.toString('utf8');
    if (entryPath.startsWith('./')) entryPath = entryPath.slice(2);
    while (entryPath.endsWith('/')) entryPath = entryPath.slice(0, -1);
    entries.push({
      path: entryPath,
      typeflag,
      type: TYPE_NAMES[typeflag] ?? 'other',
      size: typeflag === '0' || typeflag === '\0' || typeflag === '7' ? size : 0,
      linkname: linkBytes.toString('utf8'),
      mode: octal(block, 100, 8),
    });
    longName = null;
    longLink = null;
    pax = new Map();
  }
  return entries;
}
