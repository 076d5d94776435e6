/**
 * `ctxsize suggest`: ignore lines with their exact savings, Dockerfile-safe, `.gitignore`
 * conversion, the allow-list form, and ctxsize's block in the ignore file.
 */
export { suggestIgnore, applySuggestWrite, DEFAULT_LARGE_FILE_BYTES } from './suggest.js';
export { formatSuggestReport, suggestReportJson } from './format.js';
export { insertIntoBlock, unifiedDiff, blockPatterns, BLOCK_BEGIN, BLOCK_END, type BlockLine } from './block.js';
export { convertGitignorePattern, parseGitignoreLine, type GitPattern, type GitignoreLocation, type Conversion } from './gitignore.js';
export { literalPattern } from './patterns.js';
export type * from './types.js';
