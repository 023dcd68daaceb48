// The instructor insight panels' texts (heatmap, help queue, announcements) in the page's language,
// kept beside the panels so the shared catalogue (i18n/en.ts, pt-BR.ts) stays as it was.
import { lang } from '../i18n/index.js';

const en = {
  'hm.h': 'Where the room is stuck',
  'hm.intro': 'Every learner by step. A learner is stuck after {n} min on one step, connected, without passing it.',
  'hm.stuckLabel': 'Stuck after (minutes)',
  'hm.stuckSet': 'Set',
  'hm.order': 'Order',
  'hm.order.joined': 'as they joined',
  'hm.order.attention': 'needs you first',
  'hm.order.behind': 'least progress first',
  'hm.legend': 'Legend',
  'hm.passed': 'passed',
  'hm.current': 'on it',
  'hm.stuck': 'stuck',
  'hm.help': 'asked for help',
  'hm.todo': 'not reached',
  'hm.learner': 'Learner',
  'hm.region': 'Heatmap of learners by step (scrolls)',
  'hm.cell': '{name}, step {n} of {lab} ({title}): {state}',
  'hm.forMin': 'for {n} min',
  'hm.failing': 'last failed check: {reason}',
  'hm.empty': 'The heatmap fills in when learners open a lab.',
  'hm.sum': '{stuck} stuck · {help} asking for help · {current} on a step · {done} finished',
  'hm.online': 'connected',
  'hm.offline': 'not connected',
  'fr.h': 'Failed checks by step',
  'fr.intro': 'The most common reasons a check failed: which concept is failing, not only who.',
  'fr.step': 'Step',
  'fr.reason': 'Reason',
  'fr.learners': 'Learners',
  'fr.checks': 'Failed checks',
  'fr.none': 'No failed checks yet.',
  'hq.h': 'Help queue',
  'hq.none': 'Nobody is waiting for help.',
  'hq.waiting': 'waiting {t}',
  'hq.open': 'Open',
  'hq.openLabel': "Open {name}'s row",
  'hq.resolve': 'Resolve',
  'hq.resolveLabel': "Resolve {name}'s request",
  'an.h': 'Announcements',
  'an.label': 'Message to every learner',
  'an.placeholder': 'Tell every learner something, e.g. 5 minutes left',
  'an.for': 'Show for',
  'an.min': '{n} min',
  'an.send': 'Send to everyone',
  'an.sent.one': 'Sent to {n} sandbox.',
  'an.sent.other': 'Sent to {n} sandboxes.',
  'an.none': 'No announcement is showing.',
  'an.expires': 'expires in {t}',
  'an.expire': 'Expire now',
  'an.expireLabel': 'Expire now: {text}',
};
type Key = keyof typeof en;

const ptBR: Record<Key, string> = {
  'hm.h': 'Onde a turma está travada',
  'hm.intro': 'Cada aluno por passo. Um aluno está travado depois de {n} min num passo, conectado, sem passar.',
  'hm.stuckLabel': 'Travado depois de (minutos)',
  'hm.stuckSet': 'Definir',
  'hm.order': 'Ordem',
  'hm.order.joined': 'de entrada',
  'hm.order.attention': 'quem precisa de você primeiro',
  'hm.order.behind': 'menos progresso primeiro',
  'hm.legend': 'Legenda',
  'hm.passed': 'passou',
  'hm.current': 'fazendo',
  'hm.stuck': 'travado',
  'hm.help': 'pediu ajuda',
  'hm.todo': 'não chegou',
  'hm.learner': 'Aluno',
  'hm.region': 'Mapa de alunos por passo (rola)',
  'hm.cell': '{name}, passo {n} de {lab} ({title}): {state}',
  'hm.forMin': 'há {n} min',
  'hm.failing': 'última verificação falhou: {reason}',
  'hm.empty': 'O mapa se preenche quando os alunos abrem um lab.',
  'hm.sum': '{stuck} travados · {help} pedindo ajuda · {current} num passo · {done} terminaram',
  'hm.online': 'conectado',
  'hm.offline': 'desconectado',
  'fr.h': 'Verificações que falharam, por passo',
  'fr.intro': 'Os motivos mais comuns de falha: qual conceito está falhando, não só quem.',
  'fr.step': 'Passo',
  'fr.reason': 'Motivo',
  'fr.learners': 'Alunos',
  'fr.checks': 'Falhas',
  'fr.none': 'Nenhuma verificação falhou ainda.',
  'hq.h': 'Fila de ajuda',
  'hq.none': 'Ninguém está esperando ajuda.',
  'hq.waiting': 'esperando há {t}',
  'hq.open': 'Abrir',
  'hq.openLabel': 'Abrir a linha de {name}',
  'hq.resolve': 'Resolver',
  'hq.resolveLabel': 'Resolver o pedido de {name}',
  'an.h': 'Avisos',
  'an.label': 'Mensagem para todos os alunos',
  'an.placeholder': 'Diga algo a todos, por exemplo: faltam 5 minutos',
  'an.for': 'Mostrar por',
  'an.min': '{n} min',
  'an.send': 'Enviar a todos',
  'an.sent.one': 'Enviado a {n} sandbox.',
  'an.sent.other': 'Enviado a {n} sandboxes.',
  'an.none': 'Nenhum aviso visível.',
  'an.expires': 'expira em {t}',
  'an.expire': 'Expirar agora',
  'an.expireLabel': 'Expirar agora: {text}',
};

export function tt(key: Key, vars: Record<string, string | number> = {}): string {
  const s = (lang() === 'pt-BR' ? ptBR : en)[key];
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** A duration as "3 min 05 s" / "42 s" / "1 h 10 min". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * Replaces `el`'s content only when it changed, and gives the focus back to the element with the
 * same `data-key` (a poll every two seconds must not pull a keyboard user out of a list).
 */
const rendered = new WeakMap<HTMLElement, string>();
export function patch(el: HTMLElement, html: string): void {
  if (rendered.get(el) === html) return;
  const active = document.activeElement as HTMLElement | null;
  const key = active && el.contains(active) ? active.dataset.key : undefined;
  el.innerHTML = html;
  rendered.set(el, html);
  if (key) (el.querySelector(`[data-key="${CSS.escape(key)}"]`) as HTMLElement | null)?.focus();
}
