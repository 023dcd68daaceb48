// Asking before a sandbox is thrown away (All labs, another lab, New sandbox, Reset step): a real
// <dialog> that says what will be lost, Cancel focused first so Enter or Escape keeps the work.
// A sandbox the learner has not used yet in this page (nothing typed, nothing run) is replaced
// without asking: there is nothing to lose.
import { t } from '../i18n/index.js';
import './flow.css';

let used = false;

/** The learner typed into a terminal or ran a command: replacing the sandbox now loses something. */
export function markSandboxUsed(): void {
  used = true;
}

/** A new sandbox in the page: unused until the learner does something in it (a re-attached one counts as used). */
export function markSandboxFresh(fresh: boolean): void {
  used = !fresh;
}

export interface LossQuestion {
  title: string;
  /** What goes, in the learner's words. */
  lost: string;
  /** What stays (lab progress). */
  kept?: string;
  ok: string;
}

/** Resolves true when the learner agrees (or there is nothing to lose), false on Cancel or Escape. */
export function confirmLoss(q: LossQuestion): Promise<boolean> {
  if (!used) return Promise.resolve(true);
  const dialog = document.createElement('dialog');
  dialog.className = 'confirm-dialog';
  dialog.setAttribute('aria-labelledby', 'confirm-title');
  dialog.setAttribute('aria-describedby', 'confirm-lost');
  const h = document.createElement('h2');
  h.id = 'confirm-title';
  h.textContent = q.title;
  const lost = document.createElement('p');
  lost.id = 'confirm-lost';
  lost.textContent = q.lost;
  dialog.append(h, lost);
  if (q.kept) {
    const kept = document.createElement('p');
    kept.className = 'confirm-kept';
    kept.textContent = q.kept;
    dialog.append(kept);
  }
  const row = document.createElement('div');
  row.className = 'confirm-actions';
  const cancel = document.createElement('button');
  cancel.className = 'btn confirm-cancel';
  cancel.textContent = t('loss.cancel');
  const ok = document.createElement('button');
  ok.className = 'btn btn-danger confirm-ok';
  ok.textContent = q.ok;
  row.append(cancel, ok);
  dialog.append(row);
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer = false;
    cancel.onclick = () => dialog.close();
    ok.onclick = () => {
      answer = true;
      dialog.close();
    };
    // Escape closes the dialog too (a cancel event, then close).
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    dialog.showModal();
    cancel.focus();
  });
}
