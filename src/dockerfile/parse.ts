/**
 * Dockerfile text to typed instructions and stages, in BuildKit's two steps: the parser
 * (`frontend/dockerfile/parser`: logical lines, arguments, heredoc bodies) and the instruction layer
 * (`frontend/dockerfile/instructions/parse.go`: flags, argument counts, stage names). Variables are
 * not expanded here; that needs build arguments and happens in `sources.ts`.
 */
import { DockerfileError, SyntaxProblem, locate } from './errors.js';
import { INSTRUCTION_FLAGS, parseFlags, type FlagSpec } from './flags.js';
import { chompHeredoc, heredocOpenerOf, heredocOpenersInLine } from './heredoc.js';
import { LineReader, type LogicalLine } from './lexer.js';
import { mountFromAtParse } from './mounts.js';
import type {
  ArgInstruction,
  Dockerfile,
  FromInstruction,
  Heredoc,
  Instruction,
  InstructionBase,
  KeyValue,
  Stage,
} from './types.js';
import { parseJsonArray, parseWords, splitCommand, splitWhitespace } from './words.js';
import { excerpt } from '../input/escape.js';

/** One instruction as the parser leaves it: keyword, flags and arguments, not yet validated. */
interface Node {
  keyword: string;
  /** The keyword as written, for messages. */
  written: string;
  flags: string[];
  args: string[];
  json: boolean;
  pairs?: KeyValue[];
  child?: Node;
  heredocs: Heredoc[];
  line: LogicalLine;
}

const WHITESPACE_SPLIT_ONCE = /[\t\v\f\r ]+/;
const STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;
const HEREDOC_KEYWORDS = new Set(['add', 'copy', 'run']);
const ONE_ARGUMENT = new Set(['workdir', 'user', 'maintainer', 'stopsignal']);
const KNOWN = new Set([
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label', 'maintainer',
  'onbuild', 'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir',
]);

/** BuildKit's `parseNameVal` (ENV, LABEL): `k=v …`, or the legacy `k v…` (one pair). */
function parseNameVal(rest: string, keyword: string, escapeToken: string): KeyValue[] {
  const words = parseWords(rest, escapeToken);
  if (words.length === 0) return [];
  if (!words[0]!.includes('=')) {
    const match = WHITESPACE_SPLIT_ONCE.exec(rest);
    if (!match) throw new SyntaxProblem(`${keyword.toUpperCase()} must have two arguments`);
    return [{ key: rest.slice(0, match.index), value: rest.slice(match.index + match[0].length) }];
  }
  return words.map((word) => {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new SyntaxProblem(`Syntax error - can't find = in "${excerpt(word)}". Must be of the form: name=value`);
    }
    return { key: word.slice(0, eq), value: word.slice(eq + 1) };
  });
}

/** JSON (exec) form when the arguments are a JSON array of strings, else `shell(rest)`. */
function maybeJson(rest: string, shell: (rest: string) => string[]): { args: string[]; json: boolean } {
  const json = parseJsonArray(rest);
  return json === undefined ? { args: shell(rest), json: false } : { args: json, json: true };
}

/** BuildKit's line parsers: the arguments of one logical line, by keyword. */
function parseArguments(
  keyword: string,
  rest: string,
  escapeToken: string,
  line: LogicalLine,
): Pick<Node, 'args' | 'json' | 'pairs' | 'child'> {
  switch (keyword) {
    case 'add':
    case 'copy':
    case 'volume':
      return maybeJson(rest, splitWhitespace);
    case 'run':
    case 'cmd':
    case 'entrypoint':
    case 'shell':
      return maybeJson(rest, (r) => (r === '' ? [] : [r]));
    case 'from':
    case 'expose':
      return { args: splitWhitespace(rest), json: false };
    case 'arg':
      return { args: parseWords(rest, escapeToken), json: false };
    case 'env':
    case 'label':
      return { args: [], json: false, pairs: parseNameVal(rest, keyword, escapeToken) };
    case 'onbuild':
      return rest === '' ? { args: [], json: false } : { args: [], json: false, child: parseNode({ ...line, text: rest }, escapeToken) };
    case 'healthcheck': {
      const match = /[\t\n\v\f\r \u0085\u00a0]/.exec(rest);
      if (rest === '' || match?.index === 0) return { args: [], json: false };
      const type = match ? rest.slice(0, match.index) : rest;
      const command = maybeJson(match ? rest.slice(match.index).trimStart() : '', (r) => (r === '' ? [] : [r]));
      return { args: [type, ...command.args], json: command.json };
    }
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      return { args: rest === '' ? [] : [rest], json: false };
    default:
      return { args: [], json: false };
  }
}

/** The parser's view of one logical line (heredoc bodies are attached by the caller). */
function parseNode(line: LogicalLine, escapeToken: string): Node {
  const { keyword, flags, rest } = splitCommand(line.text);
  const written = line.text.trim().split(/\s+/, 1)[0] ?? keyword;
  return { keyword, written, flags, heredocs: [], line, ...parseArguments(keyword, rest, escapeToken, line) };
}

/** Whether the parser looks for heredocs after this line (ONBUILD looks at its trigger). */
function canContainHeredoc(node: Node): boolean {
  const target = node.keyword === 'onbuild' && node.child ? node.child : node;
  return HEREDOC_KEYWORDS.has(target.keyword) && !target.json;
}

/** Pass 1: the parser. Logical lines, arguments and heredoc bodies. */
function readNodes(reader: LineReader, file: string): Node[] {
  const nodes: Node[] = [];
  for (let line = reader.nextLogicalLine(); line; line = reader.nextLogicalLine()) {
    let node: Node;
    try {
      node = parseNode(line, reader.escapeToken);
    } catch (error) {
      locate(error, file, line.startLine);
    }
    if (canContainHeredoc(node) && line.text.includes('<<')) {
      let openers;
      try {
        openers = heredocOpenersInLine(line.text);
      } catch (error) {
        locate(error, file, line.startLine);
      }
      for (const opener of openers) {
        const content = reader.readHeredoc(opener.name, opener.chomp, line.startLine);
        node.heredocs.push({ ...opener, content });
      }
      if (openers.length > 0) {
        line.endLine = reader.lineNumber;
        if (node.child) {
          node.child.heredocs = node.heredocs;
          node.child.line.endLine = line.endLine;
        }
      }
    }
    nodes.push(node);
  }
  return nodes;
}

function base(node: Node): InstructionBase {
  return {
    keyword: node.written.toUpperCase(),
    line: node.line.startLine,
    endLine: node.line.endLine,
    text: node.line.text,
    flags: node.flags,
  };
}

const noFlags: FlagSpec = {};

/** BuildKit's `parseSourcesAndDest`: heredoc words among the sources become inline files. */
function sourcesAndDest(node: Node, keyword: string) {
  if (node.args.length < 2) {
    throw new SyntaxProblem(
      `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`,
    );
  }
  const dest = node.args[node.args.length - 1]!;
  if (heredocOpenerOf(dest)) throw new SyntaxProblem(`${keyword} cannot accept a heredoc as a destination`);
  const bodies = new Map(node.heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const heredocSources: Heredoc[] = [];
  for (const src of node.args.slice(0, -1)) {
    const opener = heredocOpenerOf(src);
    if (!opener) {
      sources.push(src);
      continue;
    }
    const content = bodies.get(opener.name)?.content ?? '';
    heredocSources.push({ ...opener, content: opener.chomp ? chompHeredoc(content) : content });
  }
  return { sources, heredocSources, dest, json: node.json };
}

/** Pass 2: BuildKit's `instructions.ParseInstruction` for everything but FROM. */
function toInstruction(node: Node): Instruction {
  const common = base(node);
  const spec = INSTRUCTION_FLAGS[node.keyword] ?? noFlags;
  if (!KNOWN.has(node.keyword)) throw new SyntaxProblem(`unknown instruction: ${excerpt(node.written)}`);
  const flags = parseFlags(node.flags, spec);
  switch (node.keyword) {
    case 'arg': {
      if (node.args.length === 0) throw new SyntaxProblem('ARG requires at least one argument');
      const args = node.args.map((word) => {
        const eq = word.indexOf('=');
        if (eq < 0) return { key: word };
        if (eq === 0) throw new SyntaxProblem('ARG names can not be blank');
        return { key: word.slice(0, eq), value: word.slice(eq + 1) };
      });
      return { ...common, kind: 'ARG', args };
    }
    case 'env': {
      const pairs = node.pairs ?? [];
      if (pairs.length === 0) throw new SyntaxProblem('ENV requires at least one argument');
      if (pairs.some((p) => p.key === '')) throw new SyntaxProblem('ENV names can not be blank');
      return { ...common, kind: 'ENV', pairs };
    }
    case 'copy': {
      const from = flags.string('from');
      return {
        ...common,
        kind: 'COPY',
        ...sourcesAndDest(node, 'COPY'),
        ...(from !== undefined ? { from } : {}),
        ...optional('chown', flags.string('chown')),
        ...optional('chmod', flags.string('chmod')),
        link: flags.bool('link') ?? false,
        parents: flags.bool('parents') ?? false,
        excludes: flags.strings('exclude'),
      };
    }
    case 'add': {
      const unpack = flags.bool('unpack');
      return {
        ...common,
        kind: 'ADD',
        ...sourcesAndDest(node, 'ADD'),
        ...optional('chown', flags.string('chown')),
        ...optional('chmod', flags.string('chmod')),
        ...optional('checksum', flags.string('checksum')),
        ...(unpack !== undefined ? { unpack } : {}),
        link: flags.bool('link') ?? false,
        keepGitDir: flags.bool('keep-git-dir') ?? false,
        excludes: flags.strings('exclude'),
      };
    }
    case 'run':
      return {
        ...common,
        kind: 'RUN',
        command: node.args,
        json: node.json,
        mounts: flags.strings('mount').map((spec) => {
          const from = mountFromAtParse(spec);
          return from === undefined ? { spec } : { spec, from };
        }),
        ...optional('network', flags.string('network')),
        ...optional('security', flags.string('security')),
        heredocs: node.heredocs,
      };
    case 'onbuild': {
      if (!node.child) throw new SyntaxProblem('ONBUILD requires at least one argument');
      const trigger = node.child.keyword.toUpperCase();
      if (trigger === 'ONBUILD') throw new SyntaxProblem('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger === 'MAINTAINER' || trigger === 'FROM') {
        throw new SyntaxProblem(`${trigger} isn't allowed as an ONBUILD trigger`);
      }
      return { ...common, kind: 'ONBUILD', trigger: toInstruction(node.child) };
    }
    default: {
      if (ONE_ARGUMENT.has(node.keyword) && node.args.length !== 1) {
        throw new SyntaxProblem(`${node.keyword.toUpperCase()} requires exactly one argument`);
      }
      if ((node.keyword === 'expose' || node.keyword === 'volume' || node.keyword === 'healthcheck') && node.args.length === 0) {
        throw new SyntaxProblem(`${node.keyword.toUpperCase()} requires at least one argument`);
      }
      if (node.keyword === 'label' && (node.pairs ?? []).length === 0) {
        throw new SyntaxProblem('LABEL requires at least one argument');
      }
      if (node.keyword === 'shell' && !node.json) {
        throw new SyntaxProblem('SHELL requires the arguments to be in JSON form');
      }
      const args = node.pairs ? node.pairs.flatMap((p) => [p.key, p.value]) : node.args;
      return { ...common, kind: 'OTHER', args, json: node.json };
    }
  }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** BuildKit's `parseFrom` and `parseBuildStageName`. */
function toFrom(node: Node): FromInstruction {
  const flags = parseFlags(node.flags, INSTRUCTION_FLAGS['from']!);
  const args = node.args;
  let stageName: string | undefined;
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    stageName = args[2]!.toLowerCase();
    if (!STAGE_NAME.test(stageName)) {
      throw new SyntaxProblem(
        `invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`,
      );
    }
  } else if (args.length !== 1) {
    throw new SyntaxProblem('FROM requires either one or three arguments');
  }
  const platform = flags.string('platform');
  return {
    ...base(node),
    kind: 'FROM',
    image: args[0]!,
    ...(stageName !== undefined ? { stageName } : {}),
    ...(platform !== undefined ? { platform } : {}),
  };
}

/**
 * Parses a Dockerfile as BuildKit's Dockerfile frontend does before it builds anything: parser
 * directives, continuations, comments, heredocs, JSON and shell forms, flags, stages. Variables stay
 * unexpanded.
 *
 * @param text the Dockerfile's content
 * @param file the name used in errors (default `Dockerfile`)
 * @throws DockerfileError naming the file and line, for input BuildKit would refuse
 */
export function parseDockerfile(text: string, file = 'Dockerfile'): Dockerfile {
  if (text.length === 0) throw new DockerfileError('the Dockerfile cannot be empty', file, 1);
  const reader = new LineReader(text, file);
  const nodes = readNodes(reader, file);
  if (nodes.length === 0) throw new DockerfileError('file with no instructions', file, Math.max(1, reader.lineNumber));

  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const node of nodes) {
    try {
      if (node.keyword === 'from') {
        const from = toFrom(node);
        stages.push({ index: stages.length, ...(from.stageName ? { name: from.stageName } : {}), from, instructions: [] });
        continue;
      }
      const instruction = toInstruction(node);
      const stage = stages[stages.length - 1];
      if (stage) stage.instructions.push(instruction);
      else if (instruction.kind === 'ARG') metaArgs.push(instruction);
      else throw new SyntaxProblem('no build stage in current context');
    } catch (error) {
      locate(error, file, node.line.startLine);
    }
  }
  if (stages.length === 0) {
    throw new DockerfileError('dockerfile contains no stages to build', file, nodes[nodes.length - 1]!.line.startLine);
  }
  return {
    file,
    escapeToken: reader.escapeToken,
    directives: reader.directives,
    metaArgs,
    stages,
    warnings: reader.warnings,
  };
}
