import dgram from 'node:dgram';
import { fork } from 'node:child_process';
const role = process.argv[2];
if (role === 'sock' || role === 'raw') {
  let n = 0; const t0 = process.cpuUsage();
  const report = () => { const u = process.cpuUsage(t0); process.send({ n, us: u.user + u.system, user: u.user, sys: u.system }); };
  if (role === 'raw') {
    const s = dgram.createSocket('udp4');
    s.on('message', (q, peer) => { n++; s.send(q, peer.port, peer.address); });
    s.bind(0, '127.0.0.1', () => process.send({ port: s.address().port }));
  } else {
    const { UdpListener } = await import('@sock/udp');
    const l = new UdpListener(0, { interface: '127.0.0.1' });
    l.attach({ onDatagram(d, c) { n++; void c.reply(d.data); } });
    await l.start(); process.send({ port: l.address.port });
  }
  process.on('message', (m) => { if (m === 'report') report(); else process.exit(0); });
} else {
  const N = 200000, W = 32;
  async function once(kind) {
    const child = fork(new URL(import.meta.url).pathname, [kind]);
    const { port } = await new Promise(r => child.once('message', r));
    const c = dgram.createSocket('udp4'); await new Promise(r => c.connect(port, '127.0.0.1', r));
    const payload = Buffer.alloc(40, 1); let got = 0, sent = 0; const t = performance.now();
    await new Promise((resolve) => { c.on('message', () => { got++; if (got >= N) resolve(); else if (sent < N) { sent++; c.send(payload); } }); for (let i = 0; i < W; i++) { sent++; c.send(payload); } });
    const ms = performance.now() - t;
    child.send('report'); const r = await new Promise(r => child.once('message', r)); child.send('exit'); c.close();
    return { rate: N / ms * 1000, cpu: r.us / r.n, user: r.user / r.n, sys: r.sys / r.n };
  }
  const res = { raw: [], sock: [] };
  for (let i = 0; i < 5; i++) for (const k of i % 2 ? ['sock', 'raw'] : ['raw', 'sock']) res[k].push(await once(k));
  const med = (a, f) => a.map(f).sort((x, y) => x - y)[a.length >> 1];
  for (const k of ['raw', 'sock']) console.log(k, 'rate', med(res[k], x => x.rate).toFixed(0), 'cpu µs/req', med(res[k], x => x.cpu).toFixed(2), 'user', med(res[k], x => x.user).toFixed(2), 'sys', med(res[k], x => x.sys).toFixed(2));
}
