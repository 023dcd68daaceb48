// Mensagens da página em português do Brasil. Toda chave de en.ts precisa estar aqui (o tipo exige).
import type en from './en.js';

const ptBR: Record<keyof typeof en, string> = {
  'conn.connected': 'conectado',
  'conn.connecting': 'conectando…',
  'conn.disconnected': 'desconectado',
  'lang.label': 'Idioma',
};
export default ptBR;
