// English messages of the page (the catalogue's reference: pt-BR.ts must have every key).
// Keys are grouped by the part of the page that shows them; {name} is a placeholder.
export default {
  'conn.connected': 'connected',
  'conn.connecting': 'connecting…',
  'conn.disconnected': 'disconnected',
  'lang.label': 'Language',
};
