// The learner's page: wires the parts together. The session's life is in session/lifecycle.ts,
// its terminals in session/tabs.ts, the workshop in session/workshop.ts; the lab panel and the
// kernel view receive a PageContext and are remounted for each session.
import './style.css';
import { mountScreenReaderSwitch } from './a11y/screen-reader.js';
import { $ } from './dom.js';
import { applyI18n, mountLangPicker, t } from './i18n/index.js';
import { mountKernelView } from './kernel/view.js';
import { mountLabPanel, mountLabPreview } from './labs/panel.js';
import { api } from './api.js';
import { SessionLifecycle, showNotFound } from './session/lifecycle.js';
import { mountLayout } from './session/layout.js';
import { mountPresenter } from './session/presenter.js';
import { showBanner } from './session/status.js';
import { TerminalTabs } from './session/tabs.js';
import { mountExtraKeys } from './terminal/extra-keys.js';
import { joinFromUrl, mountHelpButton, showWorkshopChip } from './session/workshop.js';

// The static HTML's texts in the learner's language, and the picker that changes it, first.
applyI18n();
mountLangPicker($('conn').parentElement!, $('conn'));

const terminals = new TerminalTabs($('term-tabs'), $('terminals'), () => session.addTerminal());
const session: SessionLifecycle = new SessionLifecycle({
  terminals,
  mountPanels: (ctx) => [mountLabPanel($('lab-panel'), ctx), mountKernelView($('kernel-view'), ctx)],
  previewLab: (lab) => (lab ? [mountLabPreview($('lab-panel'), lab, (path) => api('GET', path))] : []),
});
mountHelpButton(() => session.current);
$('new-sandbox').onclick = () => void session.replace({ lab: session.current?.lab });
const layout = mountLayout();
mountPresenter((px) => {
  terminals.setFontSize(px);
  layout.refresh();
  window.dispatchEvent(new Event('isoplay:presenter'));
});
mountExtraKeys(() => terminals.current());
mountScreenReaderSwitch((on) => terminals.setScreenReader(on));

async function boot(): Promise<void> {
  // The server answers every unknown path with this page: say so, rather than open a sandbox.
  if (!['/', '/index.html'].includes(location.pathname)) {
    showNotFound(t('notfound.noPage', { path: location.pathname }));
    return;
  }
  const join = await joinFromUrl();
  // A session from before the join does not carry the workshop: start a new one.
  if (join.joined) session.forgetSaved();
  showWorkshopChip();
  await session.resume();
  // Shown after the session started (starting one clears the banner).
  if (join.error) showBanner(t('join.failed', { error: join.error }), 'info');
}
void boot();
