/**
 * Instruction flags as BuildKit's `instructions/bflag.go` parses them: `--name=value` for string
 * flags (repeatable ones collect every value), `--name[=true|false]` for booleans. An unknown or
 * repeated flag is an error.
 */
import { SyntaxProblem } from './errors.js';
import { excerpt } from '../input/escape.js';

/** The type of each flag an instruction accepts. */
export type FlagSpec = Readonly<Record<string, 'bool' | 'string' | 'strings'>>;

/** Parsed flags: the value of each flag given (booleans as `true`/`false`, repeatable ones as arrays). */
export interface ParsedFlags {
  bool(name: string): boolean | undefined;
  string(name: string): string | undefined;
  strings(name: string): string[];
}

/** The flags each instruction accepts (current BuildKit, labs features included). */
export const INSTRUCTION_FLAGS: Readonly<Record<string, FlagSpec>> = {
  from: { platform: 'string' },
  copy: { from: 'string', chown: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'strings' },
  add: {
    chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool', checksum: 'string', unpack: 'bool',
    exclude: 'strings',
  },
  run: { mount: 'strings', network: 'string', security: 'string', device: 'strings' },
  healthcheck: {
    interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string',
  },
};

/** Parses `flags` against `spec`; throws SyntaxProblem with BuildKit's message. */
export function parseFlags(flags: readonly string[], spec: FlagSpec): ParsedFlags {
  const values = new Map<string, string[]>();
  for (const flag of flags) {
    if (!flag.startsWith('--')) throw new SyntaxProblem(`Arg should start with -- : ${excerpt(flag)}`);
    if (flag === '--') break;
    let name = flag.slice(2);
    let value = '';
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const type = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (type === undefined) throw new SyntaxProblem(`Unknown flag: ${excerpt(name)}`);
    const seen = values.get(name);
    if (seen && type !== 'strings') throw new SyntaxProblem(`Duplicate flag specified: ${name}`);
    if (type === 'bool') {
      if (eq >= 0 && value === '') throw new SyntaxProblem(`Missing a value on flag: ${name}`);
      const lower = value.toLowerCase();
      if (lower !== '' && lower !== 'true' && lower !== 'false') {
        throw new SyntaxProblem(`Expecting boolean value for flag ${name}, not: ${excerpt(value)}`);
      }
      values.set(name, [lower === '' ? 'true' : lower]);
      continue;
    }
    if (eq < 0) throw new SyntaxProblem(`Missing a value on flag: ${name}`);
    values.set(name, [...(seen ?? []), value]);
  }
  return {
    bool: (name) => (values.has(name) ? values.get(name)![0] === 'true' : undefined),
    string: (name) => values.get(name)?.[0],
    strings: (name) => values.get(name) ?? [],
  };
}
