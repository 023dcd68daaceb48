// Step markdown to HTML for the lab panel: the tokens the server's catalog validated
// (server/labs/markdown.ts), with `exec` blocks as Run buttons and `copy` blocks as Copy buttons.
import { marked } from 'marked';
import { blockInfo, lexStepMarkdown } from '../../../server/labs/markdown.js';
import { esc } from '../dom.js';
import { t } from '../i18n/index.js';

/** Renders a step's markdown; an exec block without `terminal=` runs in the step's terminal. */
export function renderStepMarkdown(md: string, defaultTerminal: string): string {
  const renderer = new marked.Renderer();
  renderer.code = ({ text, lang }) => {
    const { kind, terminal = defaultTerminal } = blockInfo(lang);
    if (kind === 'exec') {
      return `<div class="lab-block lab-exec"><pre><code>${esc(text)}</code></pre><button class="lab-run" data-terminal="${esc(terminal)}" data-code="${esc(text)}" title="${esc(t('md.run.title', { terminal }))}">${esc(t('md.run'))}</button></div>`;
    }
    if (kind === 'copy') {
      return `<div class="lab-block lab-copy"><pre><code>${esc(text)}</code></pre><button class="lab-copybtn" data-code="${esc(text)}">${esc(t('md.copy'))}</button></div>`;
    }
    return `<pre class="lab-block"><code>${esc(text)}</code></pre>`;
  };
  return marked.parser(lexStepMarkdown(md), { ...marked.defaults, renderer });
}
