import net from 'node:net';
const port = Number(process.argv[2]); const N = 20000;
function raw() { return new Promise((resolve, reject) => { const s = net.connect({host:'127.0.0.1', port}); s.once('error', reject); s.once('connect', () => { s.setNoDelay(true); s.end(() => s.destroy()); }); s.once('close', () => resolve()); }); }
for (let i=0;i<N;i++){ await raw(); }
