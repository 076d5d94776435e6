/**
 * The data model of a parsed Dockerfile: what BuildKit's parser (`frontend/dockerfile/parser`) and
 * instruction layer (`frontend/dockerfile/instructions`) know before any build argument is applied.
 * Values are as written (variables unexpanded); expansion happens per build in `sources.ts`.
 */

/** A parser directive from the top of the file (`# syntax=…`, `# escape=…`, `# check=…`). */
export interface ParserDirective {
  /** Lower-cased directive name. */
  name: 'syntax' | 'escape' | 'check';
  value: string;
  /** 1-based line. */
  line: number;
}

/** Something BuildKit accepts but warns about (today: empty lines inside a line continuation). */
export interface DockerfileWarning {
  line: number;
  message: string;
}

/** An inline file (`<<EOF … EOF`) attached to a COPY, ADD or RUN. */
export interface Heredoc {
  /** The delimiter word with its quotes removed (`EOF` for `<<"EOF"`). */
  name: string;
  /** The body, each line with its line ending, without the terminator line. */
  content: string;
  /** False when any part of the delimiter was quoted: the body is then not variable-expanded. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped from the body and the terminator line. */
  chomp: boolean;
  /** The file descriptor before `<<` (`3<<EOF`), 0 when none. */
  fd: number;
}

/** What every instruction carries. */
export interface InstructionBase {
  /** The keyword, upper-cased (`COPY`), whatever case it was written in. */
  keyword: string;
  /** 1-based line where the instruction starts. */
  line: number;
  /** 1-based line where it ends (after continuations and heredoc bodies). */
  endLine: number;
  /** The logical line: continuations joined, comments inside them dropped. */
  text: string;
  /** The `--flag[=value]` words as BuildKit extracted them (quotes removed). */
  flags: string[];
}

/** `FROM [--platform=…] image [AS name]`. */
export interface FromInstruction extends InstructionBase {
  kind: 'FROM';
  /** The base as written: an image reference, a stage name, or `scratch`; may contain `$VAR`. */
  image: string;
  /** The stage name, lower-cased as BuildKit stores it. */
  stageName?: string;
  platform?: string;
}

/** One `name[=default]` of an ARG. */
export interface ArgDefinition {
  key: string;
  /** The default as written (still to be expanded); absent for `ARG name`. */
  value?: string;
}

/** `ARG name[=default] …` (several definitions on one line are allowed). */
export interface ArgInstruction extends InstructionBase {
  kind: 'ARG';
  args: ArgDefinition[];
}

/** One `key=value` of an ENV (or LABEL). Both are expanded when the instruction runs. */
export interface KeyValue {
  key: string;
  value: string;
}

/** `ENV a=b c=d` or the legacy `ENV a b c` (one variable whose value is `b c`). */
export interface EnvInstruction extends InstructionBase {
  kind: 'ENV';
  pairs: KeyValue[];
}

/** What COPY and ADD share. */
export interface TransferInstructionBase extends InstructionBase {
  /** Source paths as written (heredoc sources are in `heredocSources`). */
  sources: string[];
  /** Inline sources (`COPY <<EOF /dst`): not context paths. */
  heredocSources: Heredoc[];
  dest: string;
  /** Written in JSON (exec) form. */
  json: boolean;
  chown?: string;
  chmod?: string;
  link: boolean;
  /** `--exclude` patterns as written, in order. */
  excludes: string[];
}

/** `COPY [--from=…] [--parents] [--exclude=…] src… dest`. */
export interface CopyInstruction extends TransferInstructionBase {
  kind: 'COPY';
  /** `--from` as written; absent when the flag is not given (then the build context is the source). */
  from?: string;
  parents: boolean;
}

/** `ADD [--checksum=…] [--keep-git-dir] [--exclude=…] src… dest`. */
export interface AddInstruction extends TransferInstructionBase {
  kind: 'ADD';
  keepGitDir: boolean;
  checksum?: string;
  /** `--unpack[=bool]` when given. */
  unpack?: boolean;
}

/** One `--mount=…` of a RUN, as written; it is parsed fully (with variables) when the build runs. */
export interface RunMountFlag {
  /** The flag value (`type=bind,source=…,target=…`). */
  spec: string;
  /** `from=` as written, when present (BuildKit forbids variables in it). */
  from?: string;
}

/** `RUN [--mount=…] [--network=…] command`. */
export interface RunInstruction extends InstructionBase {
  kind: 'RUN';
  /** The command: one shell string, or the JSON array. */
  command: string[];
  json: boolean;
  mounts: RunMountFlag[];
  network?: string;
  security?: string;
  heredocs: Heredoc[];
}

/** `ONBUILD <instruction>`: runs in the stages (and images) built FROM this one. */
export interface OnbuildInstruction extends InstructionBase {
  kind: 'ONBUILD';
  trigger: Instruction;
}

/** Any other instruction (WORKDIR, CMD, LABEL, …) with its arguments as BuildKit's parser split them. */
export interface OtherInstruction extends InstructionBase {
  kind: 'OTHER';
  args: string[];
  json: boolean;
}

/** An instruction inside a stage. */
export type Instruction =
  | ArgInstruction
  | EnvInstruction
  | CopyInstruction
  | AddInstruction
  | RunInstruction
  | OnbuildInstruction
  | OtherInstruction;

/** A build stage: a FROM and the instructions up to the next FROM. */
export interface Stage {
  /** 0-based position, as `COPY --from=<index>` counts. */
  index: number;
  /** Lower-cased `AS` name. */
  name?: string;
  from: FromInstruction;
  instructions: Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** The name used in errors. */
  file: string;
  /** The escape character in force (`\` unless `# escape=` set a backtick). */
  escapeToken: '\\' | '`';
  directives: ParserDirective[];
  /** ARGs before the first FROM (the global scope, used in FROM lines). */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  warnings: DockerfileWarning[];
}
