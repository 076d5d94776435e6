/**
 * Platforms as BuildKit reads and prints them (containerd's `platforms.Parse`, `Normalize` and
 * `Format`), and the automatic platform arguments its Dockerfile frontend defines from them
 * (`dockerfile2llb/platform.go`).
 */
import { SyntaxProblem } from './errors.js';

/** An OCI platform: `os/architecture[/variant]`. */
export interface Platform {
  os: string;
  architecture: string;
  /** Empty when the architecture has no variant (or the default one, which is normalized away). */
  variant: string;
}

const COMPONENT = /^[A-Za-z0-9_-]+$/;
const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd',
  'openbsd', 'plan9', 'solaris', 'windows', 'zos',
]);
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle',
  'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64',
  'wasm',
]);

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/** containerd's `normalizeArch`: canonical architecture names and default variants. */
function normalizeArch(arch: string, variant: string): { architecture: string; variant: string } {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      a = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      a = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      a = 'arm64';
      if (v === '8' || v === 'v8') v = '';
      break;
    case 'armhf':
      a = 'arm';
      v = 'v7';
      break;
    case 'armel':
      a = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = 'v' + v;
      break;
  }
  return { architecture: a, variant: v };
}

/**
 * Parses `os/arch[/variant]` (or a lone OS or architecture) as `docker build --platform` does:
 * containerd's `platforms.Parse`, then `Normalize` (so `linux/arm` is `linux/arm/v7` and
 * `linux/arm64/v8` is `linux/arm64`). A lone OS takes `hostArch`'s architecture, a lone
 * architecture the OS `linux` (BuildKit's own, whatever the client runs on).
 * @throws SyntaxProblem with containerd's reason
 */
export function parsePlatform(specifier: string, host: Platform = defaultBuildPlatform()): Platform {
  if (specifier.includes('*')) throw new SyntaxProblem(`${JSON.stringify(specifier)}: wildcards not yet supported`);
  const parts = specifier.split('/');
  for (const part of parts) {
    if (!COMPONENT.test(part)) {
      throw new SyntaxProblem(
        `${JSON.stringify(part)} is an invalid component of ${JSON.stringify(specifier)}: platform specifier component must match "^[A-Za-z0-9_-]+$"`,
      );
    }
  }
  let parsed: Platform;
  if (parts.length === 1) {
    const os = normalizeOs(parts[0]!);
    if (KNOWN_OS.has(os)) parsed = { os, architecture: host.architecture, variant: host.variant };
    else {
      const { architecture, variant } = normalizeArch(parts[0]!, '');
      if (!KNOWN_ARCH.has(architecture)) throw new SyntaxProblem(`${JSON.stringify(specifier)}: unknown operating system or architecture`);
      parsed = { os: host.os, architecture, variant };
    }
  } else if (parts.length === 2) {
    parsed = { os: normalizeOs(parts[0]!), ...normalizeArch(parts[1]!, '') };
  } else if (parts.length === 3) {
    parsed = { os: normalizeOs(parts[0]!), ...normalizeArch(parts[1]!, parts[2]!) };
  } else {
    throw new SyntaxProblem(`${JSON.stringify(specifier)}: cannot parse platform specifier`);
  }
  return { os: parsed.os, ...normalizeArch(parsed.architecture, parsed.variant) };
}

/** `os/arch[/variant]`, as BuildKit prints a platform (the value of TARGETPLATFORM). */
export function formatPlatform(platform: Platform): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant === '' ? base : `${base}/${platform.variant}`;
}

/** Node's `process.arch` in Go's names (GOARCH). */
const GO_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  ppc: 'ppc',
  s390x: 's390x',
  s390: 's390',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
  mips64el: 'mips64le',
};

/**
 * The platform BuildKit builds on when nothing says otherwise: Linux (Docker Desktop too builds
 * in a Linux VM) on this machine's architecture, with its ARM variant (`linux/arm/v7`).
 */
export function defaultBuildPlatform(arch: string = process.arch, armVersion: unknown = armVersionOfNode()): Platform {
  const architecture = GO_ARCH[arch] ?? arch;
  const variant = architecture === 'arm' ? `v${typeof armVersion === 'string' || typeof armVersion === 'number' ? armVersion : 7}` : '';
  return { os: 'linux', ...normalizeArch(architecture, variant) };
}

function armVersionOfNode(): unknown {
  const variables = (process.config as { variables?: Record<string, unknown> }).variables;
  return variables?.['arm_version'];
}

/** The arguments BuildKit defines in the global scope from the build and target platforms. */
export function platformArgs(build: Platform, target: Platform): Record<string, string> {
  return {
    BUILDPLATFORM: formatPlatform(build),
    BUILDOS: build.os,
    BUILDARCH: build.architecture,
    BUILDVARIANT: build.variant,
    TARGETPLATFORM: formatPlatform(target),
    TARGETOS: target.os,
    TARGETARCH: target.architecture,
    TARGETVARIANT: target.variant,
  };
}
