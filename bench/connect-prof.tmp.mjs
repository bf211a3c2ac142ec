import { Client } from '@sock/tcp';
const port = Number(process.argv[2]); const N = 20000;
for (let i=0;i<N;i++){ const c = await Client.connect({host:'127.0.0.1', port}); await c.close(); }
