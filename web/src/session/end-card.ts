// The card shown over the terminals when the server ended the session (it expired, it was
// deleted, its init exited): why, and what the learner can do, instead of a fresh sandbox
// swapped in under the cursor. A lab session can be restored to the step the learner reached
// (the server replays the earlier steps' solves) or started again from step 1.
import { t } from '../i18n/index.js';
import './flow.css';

export interface EndCardChoices {
  /** The server's close reason, shown as it is. */
  reason: string;
  /** The lab's title, when the session ran a lab. */
  labTitle?: string;
  /** The 1-based step a restore rebuilds (the first step not passed); undefined for a free sandbox. */
  restoreStep?: number;
  startAgain(): void;
  restore?(): void;
}

let layer: HTMLElement | undefined;

/** Shows the card over `host` (the terminal column); replaces one already shown. */
export function showEndCard(host: HTMLElement, c: EndCardChoices): void {
  hideEndCard();
  layer = document.createElement('div');
  layer.className = 'end-layer';
  const card = document.createElement('section');
  card.className = 'end-card';
  card.setAttribute('role', 'alertdialog');
  card.setAttribute('aria-labelledby', 'end-title');
  card.setAttribute('aria-describedby', 'end-why');
  const h = document.createElement('h2');
  h.id = 'end-title';
  h.textContent = t('end.title');
  const why = document.createElement('p');
  why.id = 'end-why';
  why.append(`${t('end.why')} `);
  const r = document.createElement('span');
  r.className = 'end-reason';
  r.textContent = c.reason || t('end.defaultReason');
  why.append(r, '.');
  const what = document.createElement('p');
  what.textContent = c.restore
    ? t('end.restoreText', { title: c.labTitle ?? '', n: c.restoreStep ?? 1 })
    : t('end.newText');
  const row = document.createElement('div');
  row.className = 'end-actions';
  const again = document.createElement('button');
  again.className = `btn end-start-again${c.restore ? '' : ' btn-primary'}`;
  again.textContent = t(c.restore ? 'end.startAgain' : 'end.startNew');
  again.onclick = () => {
    hideEndCard();
    c.startAgain();
  };
  row.append(again);
  if (c.restore) {
    const restore = document.createElement('button');
    restore.className = 'btn btn-primary end-restore';
    restore.textContent = t('end.restore', { n: c.restoreStep ?? 1 });
    restore.onclick = () => {
      hideEndCard();
      c.restore!();
    };
    row.append(restore);
  }
  card.append(h, why, what, row);
  layer.append(card);
  host.append(layer);
  (row.lastElementChild as HTMLButtonElement).focus();
}

export function hideEndCard(): void {
  layer?.remove();
  layer = undefined;
}
