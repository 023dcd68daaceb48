// Step markdown: fenced blocks marked `exec` (click to run in a named terminal) or `copy`.
// Validated at start-up: an unterminated fence or an exec block naming an unknown terminal is an error.

export interface CodeBlock {
  kind: 'exec' | 'copy' | 'plain';
  terminal?: string;
  code: string;
  line: number;
}

export function parseBlocks(markdown: string): { blocks: CodeBlock[]; errors: string[] } {
  const blocks: CodeBlock[] = [];
  const errors: string[] = [];
  const lines = markdown.split('\n');
  let open: { info: string; line: number; body: string[] } | undefined;
  lines.forEach((line, i) => {
    const fence = /^```(.*)$/.exec(line.trimEnd());
    if (!fence) {
      open?.body.push(line);
      return;
    }
    if (!open) {
      open = { info: fence[1].trim(), line: i + 1, body: [] };
      return;
    }
    if (fence[1].trim() !== '') {
      errors.push(`line ${i + 1}: a fence opens inside the block opened at line ${open.line}`);
      return;
    }
    const [kind, ...attrs] = open.info.split(/\s+/);
    const terminal = attrs.find((a) => a.startsWith('terminal='))?.slice('terminal='.length);
    blocks.push({
      kind: kind === 'exec' || kind === 'copy' ? kind : 'plain',
      terminal,
      code: open.body.join('\n'),
      line: open.line,
    });
    open = undefined;
  });
  if (open) errors.push(`line ${(open as { line: number }).line}: the code block is never closed (missing \`\`\`)`);
  return { blocks, errors };
}
