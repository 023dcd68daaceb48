// Step markdown: the catalog's validator (server/labs/markdown.ts) and the lab panel's renderer
// (web/src/labs/step-markdown.ts) read the same tokens, so they agree on every code block.
import { describe, expect, it } from 'vitest';
import { blockInfo, parseBlocks } from '../../server/labs/markdown.js';
import { renderStepMarkdown } from '../../web/src/labs/step-markdown.js';

const unesc = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The blocks as the page renders them: kind, terminal for exec, and the code, in order. */
function rendered(md: string, defaultTerminal = 'shell'): { kind: string; terminal?: string; code: string }[] {
  const html = renderStepMarkdown(md, defaultTerminal);
  const re = /<div class="lab-block lab-exec"><pre><code>[\s\S]*?<\/code><\/pre><button class="lab-run" data-terminal="([^"]*)" data-code="([^"]*)"|<div class="lab-block lab-copy"><pre><code>[\s\S]*?<\/code><\/pre><button class="lab-copybtn" data-code="([^"]*)"|<pre class="lab-block"><code>([\s\S]*?)<\/code><\/pre>/g;
  return [...html.matchAll(re)].map((m) =>
    m[2] !== undefined ? { kind: 'exec', terminal: unesc(m[1]), code: unesc(m[2]) } : m[3] !== undefined ? { kind: 'copy', code: unesc(m[3]) } : { kind: 'plain', code: unesc(m[4]) },
  );
}

/** The blocks as the catalog sees them, with the step's terminal filled in for exec blocks as the page does. */
function validated(md: string, defaultTerminal = 'shell') {
  const { blocks, errors } = parseBlocks(md);
  return {
    errors,
    blocks: blocks.map((b) => (b.kind === 'exec' ? { kind: b.kind, terminal: b.terminal ?? defaultTerminal, code: b.code } : { kind: b.kind, code: b.code })),
    lines: blocks.map((b) => b.line),
  };
}

const CASES: { name: string; md: string; kinds: string[]; lines: number[] }[] = [
  { name: 'exec with a terminal, exec without, copy, plain', md: 'a\n```exec\nls\n```\n```exec terminal=observer\nps\n```\n```copy\nx\n```\n```\nplain\n```\n', kinds: ['exec', 'exec', 'copy', 'plain'], lines: [2, 5, 8, 11] },
  { name: 'a four-backtick fence showing a three-backtick exec block', md: 'Write this:\n\n````md\n```exec\nls\n```\n````\n', kinds: ['plain'], lines: [3] },
  { name: 'a four-backtick exec fence', md: '````exec terminal=observer\necho "```"\n````\n', kinds: ['exec'], lines: [1] },
  { name: 'tilde fences', md: 'x\n\n~~~exec\nid\n~~~\n\n~~~copy\n<b>&amp;</b>\n~~~\n', kinds: ['exec', 'copy'], lines: [3, 7] },
  { name: 'a fence indented by up to three spaces', md: 'Run:\n\n  ```exec\n  hostname\n  ```\n', kinds: ['exec'], lines: [3] },
  { name: 'an indented code block, which is plain even if it reads like a fence', md: 'Text.\n\n    ```exec\n    rm -rf /\n    ```\n', kinds: ['plain'], lines: [3] },
  { name: 'blocks in a list and a blockquote', md: '1. one\n\n   ```exec terminal=obs\n   ps\n   ```\n\n2. two\n   ```copy\n   c\n   ```\n\n> quote\n>\n> ```exec\n> ls\n> ```\n', kinds: ['exec', 'copy', 'exec'], lines: [3, 8, 14] },
  { name: 'Windows line ends', md: 'a\r\n\r\n```exec\r\nls\r\n```\r\n', kinds: ['exec'], lines: [3] },
];

describe('step markdown: the validator and the renderer agree', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const v = validated(c.md);
      expect(v.errors).toEqual([]);
      expect(v.blocks.map((b) => b.kind)).toEqual(c.kinds);
      expect(v.lines).toEqual(c.lines);
      expect(rendered(c.md)).toEqual(v.blocks);
    });
  }

  it('reads exec terminals and code as the page will run them', () => {
    expect(validated(CASES[0].md).blocks).toEqual([
      { kind: 'exec', terminal: 'shell', code: 'ls' },
      { kind: 'exec', terminal: 'observer', code: 'ps' },
      { kind: 'copy', code: 'x' },
      { kind: 'plain', code: 'plain' },
    ]);
    expect(validated(CASES[2].md).blocks[0]).toEqual({ kind: 'exec', terminal: 'observer', code: 'echo "```"' });
    expect(validated(CASES[3].md).blocks[1].code).toBe('<b>&amp;</b>');
  });

  it('reports an unclosed fence with its line (marked runs it to the end), and still renders it as one block', () => {
    const md = 'Run it:\n\n```exec\nls\n\nMore text\n';
    expect(parseBlocks(md).errors).toEqual(['line 3: the code block is never closed (missing ```)']);
    expect(parseBlocks('x\n\n````copy\na\n```\n').errors).toEqual(['line 3: the code block is never closed (missing ````)']);
    expect(parseBlocks('```').errors).toEqual(['line 1: the code block is never closed (missing ```)']);
    expect(rendered(md)).toEqual(validated(md).blocks);
  });

  it('reports an unclosed fence inside a list item, where it runs to the end of the item', () => {
    expect(parseBlocks('- one\n\n  ```exec\n  ls\n\n- two\n').errors).toEqual(['line 3: the code block is never closed (missing ```)']);
  });

  it('reports a fence that opens inside a block (a forgotten closing fence above it)', () => {
    const md = '```exec\nls\n\nText.\n\n```exec\nps\n```\n';
    expect(parseBlocks(md).errors).toEqual(['line 6: a fence opens inside the block opened at line 1']);
    expect(rendered(md)).toEqual(validated(md).blocks);
  });

  it('blockInfo classifies an info string the same way for both sides', () => {
    expect(blockInfo('exec terminal=vm')).toEqual({ kind: 'exec', terminal: 'vm' });
    expect(blockInfo('  exec  ')).toEqual({ kind: 'exec', terminal: undefined });
    expect(blockInfo('copy')).toEqual({ kind: 'copy', terminal: undefined });
    expect(blockInfo('bash')).toEqual({ kind: 'plain', terminal: undefined });
    expect(blockInfo('execute')).toEqual({ kind: 'plain', terminal: undefined });
    expect(blockInfo(undefined)).toEqual({ kind: 'plain', terminal: undefined });
  });
});
