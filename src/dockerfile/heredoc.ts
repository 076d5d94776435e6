/**
 * Heredoc delimiters as BuildKit's parser recognises them (`parser/parser.go`): a word of the
 * logical line of the form `[fd]<<[-]DELIM`, where DELIM lexes to exactly one word; any quote in
 * DELIM turns off expansion of the body.
 */
import { SyntaxProblem } from './errors.js';
import { NO_VARIABLES, expandWord } from './expand.js';

/** A heredoc opener found in a line (its body is read afterwards). */
export interface HeredocOpener {
  name: string;
  expand: boolean;
  chomp: boolean;
  fd: number;
}

const OPENER = /^(\d*)<<(-?)([^<]*)$/;

const countQuotes = (text: string): number => text.split(/['"]/).length - 1;

/**
 * BuildKit's `ParseHeredoc`: the opener a word stands for, or undefined when it is not one.
 * Throws SyntaxProblem when the delimiter cannot be lexed.
 */
export function parseHeredocOpener(word: string): HeredocOpener | undefined {
  const match = OPENER.exec(word);
  if (!match) return undefined;
  const rest = match[3]!;
  if (rest === '') return undefined;
  const plain = expandWord(rest, NO_VARIABLES, { skipUnsetEnv: true }).words;
  if (plain.length !== 1) return undefined;
  const raw = expandWord(rest, NO_VARIABLES, { skipUnsetEnv: true, rawQuotes: true }).words;
  if (raw.length !== plain.length) {
    throw new SyntaxProblem(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  }
  return {
    name: plain[0]!,
    expand: countQuotes(plain[0]!) === countQuotes(raw[0]!),
    chomp: match[2] === '-',
    fd: match[1] === '' ? 0 : Number(match[1]),
  };
}

/** BuildKit's `MustParseHeredoc`: like parseHeredocOpener, but a lexing error means "not a heredoc". */
export function heredocOpenerOf(word: string): HeredocOpener | undefined {
  try {
    return parseHeredocOpener(word);
  } catch {
    return undefined;
  }
}

/**
 * BuildKit's `heredocsFromLine`: the openers among the words of a whole logical line, in order.
 * The line is lexed with `\` as escape, quotes and escapes kept and unset variables left alone, so a
 * quoted `"<<EOF"` is not an opener; a line that does not lex has none.
 */
export function heredocOpenersInLine(line: string): HeredocOpener[] {
  let words: string[];
  try {
    words = expandWord(line, NO_VARIABLES, { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true }).words;
  } catch {
    return [];
  }
  const openers: HeredocOpener[] = [];
  for (const word of words) {
    const opener = parseHeredocOpener(word);
    if (opener) openers.push(opener);
  }
  return openers;
}

/** BuildKit's `ChompHeredocContent`: leading tabs removed from every line. */
export function chompHeredoc(content: string): string {
  return content.replace(/^\t+/gm, '');
}
