// The hostile neighbour of `bench --only attacks`, as a process of its own, so that its work (acking
// an output flood, receiving its kernel view) never shares an event loop with the victim's echo
// timing. Like a learner's page it opens the session's terminal (acking every output frame) and its
// event socket, types one command at the first prompt, prints `ready` once the command's marker (or
// enough output) has arrived, and runs until it is killed.
//   node --import tsx bench/attack-client.ts WS_BASE SESSION TOKEN COMMAND (--ready-text T | --ready-bytes N)
import WebSocket from 'ws';
import { decodeServerFrame, encodeClientFrame } from '../server/protocol/frames.js';

const [wsBase, id, token, command, how, arg] = process.argv.slice(2);
if (!wsBase || !id || !token || !command || (how !== '--ready-text' && how !== '--ready-bytes') || !arg) {
  process.stderr.write('usage: attack-client WS_BASE SESSION TOKEN COMMAND (--ready-text T | --ready-bytes N)\n');
  process.exit(2);
}

const events = new WebSocket(`${wsBase}/api/sessions/${id}/events?token=${token}`);
events.on('error', (e) => process.stderr.write(`attack-client: event socket: ${e.message}\n`));

const term = new WebSocket(`${wsBase}/api/sessions/${id}/terminals/shell?token=${token}`);
let seen = ''; // the tail of the output, enough to find the prompt and the marker
let bytes = 0;
let typed = false;
let ready = false;
term.on('message', (raw: Buffer) => {
  const f = decodeServerFrame(new Uint8Array(raw));
  if (f.type !== 'output') return;
  term.send(encodeClientFrame({ type: 'ack', bytes: f.data.length }));
  if (typed) bytes += f.data.length;
  if (ready) return;
  seen = (seen + Buffer.from(f.data).toString('latin1')).slice(-4096);
  if (!typed && seen.includes('# ')) {
    typed = true;
    seen = '';
    term.send(encodeClientFrame({ type: 'input', data: Buffer.from(`${command}\r`) }));
    return;
  }
  if (typed && (how === '--ready-text' ? seen.includes(arg) : bytes >= Number(arg))) {
    ready = true;
    process.stdout.write('ready\n');
  }
});
term.on('error', (e) => process.stderr.write(`attack-client: terminal socket: ${e.message}\n`));
term.on('close', (code, reason) => {
  process.stderr.write(`attack-client: terminal closed ${code} ${reason.toString()}\n`);
  process.exit(ready ? 0 : 1);
});
process.on('SIGTERM', () => process.exit(0));
