export { tokenize, isWord } from './lexer.js';
export type { LexResult } from './lexer.js';
export { TokenKind } from './token.js';
export type { Comment, Token } from './token.js';
export { escapeString, unescapeRegexString, unescapeString } from './escapes.js';
