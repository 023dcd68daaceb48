// Step markdown, lexed once by `marked` for both sides: the catalog validates the code blocks at
// start-up (an unclosed fence, a fence opened inside a block, an exec block naming an unknown
// terminal) and the page renders the same tokens, so the two cannot disagree about where a block
// starts, ends, or what kind it is. Browser-safe: no node imports (web/src/labs imports it).
import { marked, type Token, type Tokens } from 'marked';

/** What a code block's info string asks for: `exec [terminal=NAME]` runs, `copy` copies, the rest is shown. */
export interface BlockInfo {
  kind: 'exec' | 'copy' | 'plain';
  /** From `terminal=NAME`; an exec block without it runs in the step's terminal. */
  terminal?: string;
}

export interface CodeBlock extends BlockInfo {
  code: string;
  /** 1-based line of the opening fence (or of an indented block's first line). */
  line: number;
}

/** Classifies a code block by its info string (marked's `lang`; undefined for an indented block). */
export function blockInfo(lang: string | undefined): BlockInfo {
  const [word, ...attrs] = (lang ?? '').trim().split(/\s+/);
  const terminal = attrs.find((a) => a.startsWith('terminal='))?.slice('terminal='.length);
  return { kind: word === 'exec' || word === 'copy' ? word : 'plain', terminal };
}

/** The one lexing of step markdown, with marked's defaults: what the catalog checks is what the page renders. */
export function lexStepMarkdown(markdown: string): Token[] {
  return marked.lexer(markdown);
}

const newlines = (s: string) => s.split('\n').length - 1;

/**
 * Every code token in document order with the line it starts on. A token's raw text is exactly
 * what the lexer consumed, so lines add up; inside a blockquote or list item the markers are
 * stripped but the lines are kept, so children count from their container's first line.
 */
function visitCode(tokens: Token[], firstLine: number, visit: (t: Tokens.Code, line: number) => void): void {
  let line = firstLine;
  for (const t of tokens) {
    if (t.type === 'code') visit(t as Tokens.Code, line);
    else if (t.type === 'list') visitCode((t as Tokens.List).items, line, visit);
    else if (t.type === 'blockquote' || t.type === 'list_item') visitCode((t as Tokens.Blockquote | Tokens.ListItem).tokens, line, visit);
    line += newlines(t.raw);
  }
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Fence problems marked silently accepts: it runs an unclosed fence to the end of the document
 * (or of its list item), and takes a line like "```exec" inside a block as content, though an
 * author who writes it has almost always forgotten to close the block above.
 */
function fenceErrors(raw: string, line: number): string[] {
  const lines = raw.replace(/\n+$/, '').split('\n');
  const fence = FENCE.exec(lines[0])?.[1];
  if (!fence) return []; // an indented code block has no fence to close
  const ch = fence[0] === '`' ? '`' : '~';
  const closes = new RegExp(`^ {0,3}${ch}{${fence.length},}[\`~]* *$`); // marked's own closing rule
  const opens = new RegExp(`^ {0,3}${ch}{${fence.length},}[^${ch}\\s]`);
  const errors: string[] = [];
  const closed = lines.length > 1 && closes.test(lines.at(-1)!);
  const body = closed ? lines.slice(1, -1) : lines.slice(1);
  body.forEach((l, i) => {
    if (opens.test(l)) errors.push(`line ${line + 1 + i}: a fence opens inside the block opened at line ${line}`);
  });
  if (!closed) errors.push(`line ${line}: the code block is never closed (missing ${fence})`);
  return errors;
}

export function parseBlocks(markdown: string): { blocks: CodeBlock[]; errors: string[] } {
  const blocks: CodeBlock[] = [];
  const errors: string[] = [];
  visitCode(lexStepMarkdown(markdown), 1, (t, line) => {
    errors.push(...fenceErrors(t.raw, line));
    blocks.push({ ...blockInfo(t.lang), code: t.text, line });
  });
  return { blocks, errors };
}
