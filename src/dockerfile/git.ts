/**
 * Which ADD sources are remote, as BuildKit's Dockerfile frontend decides (`dockerfile2llb`
 * `isHTTPSource`, `util/gitutil.ParseGitRef`, `util/sshutil.ParseSCPStyleURL`).
 */

/** Where an ADD source comes from. */
export type AddSourceKind = 'local' | 'http' | 'git';

const PROTOCOL = /^[a-zA-Z0-9]+:\/\//;
const GIT_PROTOCOLS = new Set(['http', 'https', 'ssh', 'git']);
// user@host:path?query#fragment (sshutil's gitSSHRegex): the user part is required, so `C:\dir`
// or `host:path` is a local path.
const SCP_STYLE = /^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\?(.*?))?(?:#(.*))?$/;

/**
 * Whether Go's url.Parse would find a scheme followed by a hierarchical (non-opaque) part: such a
 * string is never an scp-style URL.
 */
function hasSchemeAndPath(text: string): boolean {
  const noFragment = text.split('#', 1)[0]!;
  for (let i = 0; i < noFragment.length; i++) {
    const ch = noFragment[i]!;
    if (/[a-zA-Z]/.test(ch)) continue;
    if (/[0-9+\-.]/.test(ch)) {
      if (i === 0) return false;
      continue;
    }
    if (ch === ':') {
      if (i === 0) return false;
      const rest = noFragment.slice(i + 1);
      return rest === '' || rest.startsWith('/');
    }
    return false;
  }
  return false;
}

/** The path part of an http(s) URL, without query and fragment. */
function urlPath(url: string): string {
  const afterScheme = url.replace(PROTOCOL, '');
  const slash = afterScheme.search(/[/?#]/);
  if (slash < 0 || afterScheme[slash] !== '/') return '';
  return afterScheme.slice(slash).split(/[?#]/, 1)[0]!;
}

/**
 * BuildKit's `ParseGitRef` for a build source: git://, ssh://, http(s) URLs whose path ends in
 * `.git`, and scp-style `[user@]host:path`. `github.com/…` is deliberately treated as a local path
 * by ADD, and so is anything starting with `./` or `../`.
 */
export function isGitSource(src: string): boolean {
  if (src.startsWith('./') || src.startsWith('../') || src.startsWith('github.com/')) return false;
  const protocol = PROTOCOL.exec(src)?.[0];
  if (protocol !== undefined) {
    const name = protocol.slice(0, -3).toLowerCase();
    if (!GIT_PROTOCOLS.has(name)) return false;
    if (name === 'http' || name === 'https') return urlPath(src).endsWith('.git');
    return true;
  }
  if (hasSchemeAndPath(src)) return false;
  return SCP_STYLE.test(src);
}

/**
 * How an ADD source is fetched. Only `local` sources come from the build context. (BuildKit's own
 * bookkeeping of context paths only skips sources starting with `http://` or `https://`; a
 * `git@host:repo` source is also recorded there, as a path that never exists in a context.)
 */
export function classifyAddSource(src: string): AddSourceKind {
  if (isGitSource(src)) return 'git';
  if (src.startsWith('http://') || src.startsWith('https://')) return 'http';
  return 'local';
}
