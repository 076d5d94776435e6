/**
 * `RUN --mount=…` values as BuildKit reads them (`instructions/commands_runmount.go`): one CSV
 * record (Go's encoding/csv) of `key=value` fields. At parse time only `from` is looked at (and may
 * not hold a variable); the full parse, with every value expanded, happens when the RUN is built.
 */
import { SyntaxProblem } from './errors.js';
import { excerpt } from '../input/escape.js';

/** Mount types BuildKit knows. */
export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';

/** A fully parsed mount. */
export interface RunMount {
  type: MountType;
  /** Stage, image or named context to mount from; absent means the build context (bind) or nothing. */
  from?: string;
  /** Path inside the source; absent means its root. */
  source?: string;
  target?: string;
  readOnly: boolean;
}

const MOUNT_TYPES = new Set<string>(['bind', 'cache', 'tmpfs', 'secret', 'ssh']);
const SHARING = new Set(['shared', 'private', 'locked']);
const ALL_KEYS = [
  'type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'mode', 'uid', 'gid', 'src', 'dst',
  'destination', 'ro', 'rw', 'readwrite', 'size', 'env',
];

/**
 * The first record of `text` as Go's `csv.Reader.Read` returns it: fields split on commas, a field
 * that starts with `"` is quoted (`""` is a literal quote), a quote anywhere else is an error.
 */
export function readCsvRecord(text: string): string[] {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (text === '') throw new SyntaxProblem('failed to parse csv mounts: EOF');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) throw new SyntaxProblem('failed to parse csv mounts: extraneous or missing " in quoted-field');
        field += line.slice(i, quote);
        i = quote + 1;
        if (line[i] === '"') {
          field += '"';
          i++;
          continue;
        }
        if (i < line.length && line[i] !== ',') {
          throw new SyntaxProblem('failed to parse csv mounts: extraneous or missing " in quoted-field');
        }
        break;
      }
    } else {
      const comma = line.indexOf(',', i);
      field = comma < 0 ? line.slice(i) : line.slice(i, comma);
      if (field.includes('"')) throw new SyntaxProblem('failed to parse csv mounts: bare " in non-quoted-field');
      i = comma < 0 ? line.length : comma;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/**
 * The parse-time look at a mount: its `from`, which BuildKit needs before any variable is known
 * (to find the stages a RUN depends on) and therefore refuses to expand.
 */
export function mountFromAtParse(spec: string): string | undefined {
  let from: string | undefined;
  for (const field of readCsvRecord(spec)) {
    const eq = field.indexOf('=');
    if (eq < 0 || field.slice(0, eq).toLowerCase() !== 'from') continue;
    const value = field.slice(eq + 1);
    if (/\$[^]/u.test(value)) {
      throw new SyntaxProblem("'from' doesn't support variable expansion, define alias stage instead");
    }
    from = value;
  }
  return from;
}

/** Go's strconv.ParseBool. */
function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new SyntaxProblem(`invalid value for ${excerpt(key)}: ${excerpt(value)}`);
}

/**
 * The full parse of a mount, each value passed through `expand` (the stage's variables), as
 * BuildKit does when the RUN is built. Throws SyntaxProblem with BuildKit's message.
 */
export function parseMount(spec: string, expand: (value: string, key: string) => string): RunMount {
  let type: MountType = 'bind';
  let readOnly: boolean | undefined;
  let from: string | undefined;
  let source: string | undefined;
  let target: string | undefined;
  let fileInfo = false;
  let sharing = false;
  for (const field of readCsvRecord(spec)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') readOnly = true;
      else if (key === 'readwrite' || key === 'rw') readOnly = false;
      else if (key === 'required' && (type === 'secret' || type === 'ssh')) continue;
      else if (key === 'required') throw new SyntaxProblem(`unexpected key '${key}' for mount type '${type}'`);
      else throw new SyntaxProblem(`invalid field '${excerpt(field)}' must be a key=value pair`);
      continue;
    }
    const value = expand(field.slice(eq + 1), key);
    switch (key) {
      case 'type': {
        const lower = value.toLowerCase();
        if (!MOUNT_TYPES.has(lower)) throw new SyntaxProblem(`unsupported mount type "${value}"`);
        type = lower as MountType;
        break;
      }
      case 'from':
        from = value;
        break;
      case 'source':
      case 'src':
        source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = value;
        break;
      case 'readonly':
      case 'ro':
        readOnly = parseBool(key, value);
        break;
      case 'readwrite':
      case 'rw':
        readOnly = !parseBool(key, value);
        break;
      case 'required':
        if (type !== 'secret' && type !== 'ssh') throw new SyntaxProblem(`unexpected key '${key}' for mount type '${type}'`);
        parseBool(key, value);
        break;
      case 'sharing':
        if (!SHARING.has(value.toLowerCase())) throw new SyntaxProblem(`unsupported sharing value "${value}"`);
        sharing = true;
        break;
      case 'mode':
        if (!/^[0-7]+$/.test(value)) throw new SyntaxProblem(`invalid value ${value} for mode`);
        fileInfo = true;
        break;
      case 'uid':
      case 'gid':
        if (!/^\d+$/.test(value)) throw new SyntaxProblem(`invalid value ${value} for ${key}`);
        fileInfo = true;
        break;
      case 'id':
      case 'size':
      case 'env':
        break;
      default:
        if (!ALL_KEYS.includes(key)) throw new SyntaxProblem(`unexpected key '${excerpt(key)}' in '${excerpt(field)}'`);
    }
  }
  if (fileInfo && type !== 'secret' && type !== 'ssh' && type !== 'cache') {
    throw new SyntaxProblem(`mode, uid and gid are not allowed for "${type}" type mounts`);
  }
  if (sharing && type !== 'cache') throw new SyntaxProblem(`invalid cache sharing set for ${type} mount`);
  if (type === 'secret' && from !== undefined && from !== '') throw new SyntaxProblem('secret mount should not have a from');
  return {
    type,
    ...(from !== undefined && from !== '' ? { from } : {}),
    ...(source !== undefined && source !== '' ? { source } : {}),
    ...(target !== undefined ? { target } : {}),
    readOnly: readOnly ?? !(type === 'cache' || type === 'tmpfs'),
  };
}
