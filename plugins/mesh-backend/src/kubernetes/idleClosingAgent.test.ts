import { makeClusterCertificates } from '@meshtraffic/kube-sandbox';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { announcedIdleMs, IdleClosingAgent } from './idleClosingAgent';

describe('announcedIdleMs', () => {
  it('reads the timeout of a Keep-Alive header, in ms', () => {
    expect(announcedIdleMs('timeout=5')).toBe(5000);
    expect(announcedIdleMs('max=100, timeout=2')).toBe(2000);
    expect(announcedIdleMs(undefined)).toBeUndefined();
    expect(announcedIdleMs('max=100')).toBeUndefined();
  });
});

/**
 * Against a server that closes idle connections after 2 s (and says so, as Node's server does):
 * the client closes first, so no request goes out on a connection being closed.
 */
describe('IdleClosingAgent', () => {
  let server: https.Server;
  let agent: IdleClosingAgent;
  let url: string;
  const closedBy: string[] = [];

  beforeAll(async () => {
    const certs = await makeClusterCertificates('agent-test');
    server = https.createServer(
      { key: certs.keyPem, cert: certs.certPem },
      (req, res) => {
        const wait = Number(
          new URL(req.url!, 'https://x').searchParams.get('wait') ?? 0,
        );
        setTimeout(() => res.end('ok'), wait);
      },
    );
    server.keepAliveTimeout = 2000;
    server.on('connection', (socket: Socket) => {
      // Closed before the server's own 2 s timer could fire: the client closed it.
      socket.on('close', () => closedBy.push('client'));
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new IdleClosingAgent({ ca: certs.caPem });
  });
  afterAll(async () => {
    agent.destroy();
    await new Promise(r => server.close(r));
  });

  const get = (path: string) =>
    new Promise<{ body: string; reused: boolean }>((resolve, reject) => {
      const req = https.get(`${url}${path}`, { agent }, res => {
        let body = '';
        res.on('data', d => (body += d));
        res.on('end', () => resolve({ body, reused: req.reusedSocket }));
      });
      req.on('error', reject);
    });
  const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

  it('keeps a connection for the next request inside the announced limit', async () => {
    await get('/');
    await sleep(200);
    expect((await get('/')).reused).toBe(true);
  });

  it('closes an idle connection a second before the server would', async () => {
    closedBy.length = 0;
    await get('/');
    await sleep(1400);
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(0);
    expect(closedBy).toContain('client');
    expect(await get('/')).toEqual({ body: 'ok', reused: false });
  });

  it('does not time out a reused connection while its request waits for the answer', async () => {
    await get('/');
    const slow = await get('/?wait=1500');
    expect(slow).toEqual({ body: 'ok', reused: true });
  });
});
