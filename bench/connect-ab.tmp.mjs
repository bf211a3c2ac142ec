import net from 'node:net';
import { Client } from '@sock/tcp';
const port = Number(process.argv[2]); const N = Number(process.argv[3] ?? 3000); const ROUNDS = 7;
const HOST='127.0.0.1';
function raw() { return new Promise((resolve, reject) => { const s = net.connect({host:HOST, port}); s.once('error', reject); s.once('connect', () => { s.setNoDelay(true); s.end(() => s.destroy()); }); s.once('close', () => resolve()); }); }
async function sock() { const c = await Client.connect({host:HOST, port}); await c.close(); }
async function run(f) { const t = performance.now(); for (let i=0;i<N;i++) await f(); return N/(performance.now()-t)*1000; }
const r={raw:[],sock:[]};
for (let i=0;i<ROUNDS;i++){ if (i%2) { r.sock.push(await run(sock)); r.raw.push(await run(raw)); } else { r.raw.push(await run(raw)); r.sock.push(await run(sock)); } }
const med=a=>a.slice().sort((x,y)=>x-y)[a.length>>1];
console.log('raw', med(r.raw).toFixed(0), 'sock', med(r.sock).toFixed(0), 'ratio', (med(r.sock)/med(r.raw)).toFixed(3));
