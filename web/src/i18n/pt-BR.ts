// Mensagens da página em português do Brasil. Toda chave de en.ts precisa estar aqui (o tipo exige).
import type en from './en.js';

const ptBR: Record<keyof typeof en, string> = {
  'conn.connected': 'conectado',
  'conn.connecting': 'conectando…',
  'conn.disconnected': 'desconectado',
  'lang.label': 'Idioma',
  'layout.focus': 'Foco',
  'layout.focus.hint': 'Só o terminal e um painel; a aba do outro painel troca os dois',
  'layout.hide.kv': 'Esconder a visão do kernel',
  'layout.hide.lab': 'Esconder os passos do lab',
  'layout.keys.ctrl': 'Segura o Ctrl para a próxima tecla digitada',
  'layout.keys.down': 'seta para baixo (próximo comando)',
  'layout.keys.interrupt': 'interrompe o programa em execução',
  'layout.keys.label': 'Teclas que faltam no seu teclado',
  'layout.keys.left': 'seta para a esquerda',
  'layout.keys.right': 'seta para a direita',
  'layout.keys.up': 'seta para cima (comando anterior)',
  'layout.phone.kv': 'Kernel',
  'layout.phone.lab': 'Lab',
  'layout.phone.label': 'Painel exibido',
  'layout.phone.term': 'Terminal',
  'layout.resize.hint': 'Arraste para redimensionar; as setas do teclado também movem',
  'layout.resize.kv': 'Largura da visão do kernel',
  'layout.resize.lab': 'Largura dos passos do lab',
  'layout.show.kv': 'Mostrar a visão do kernel',
  'layout.show.lab': 'Mostrar os passos do lab',
  'layout.show.narrow': 'Recolhido para o terminal manter 80 colunas; clique para mostrar mesmo assim',
  'layout.tab.kv': 'Visão do kernel',
  'layout.tab.lab': 'Passos do lab',
};
export default ptBR;
