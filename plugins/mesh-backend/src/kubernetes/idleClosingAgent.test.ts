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
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new IdleClosingAgent({ ca: certs.caPem });
  });
  afterAll(async () => {
    agent.destroy();
    await new Promise(r => server.close(r));
  });

  /** A request through the agent: its answer, whether it went on a reused socket, and the socket. */
  const send = (path: string) =>
    new Promise<{
      body: string;
      reused: boolean;
      socket: Socket;
      timeoutInUse: number | undefined;
    }>((resolve, reject) => {
      let timeoutInUse: number | undefined;
      const req = https.get(`${url}${path}`, { agent }, res => {
        let body = '';
        res.on('data', d => (body += d));
        res.on('end', () =>
          resolve({
            body,
            reused: req.reusedSocket,
            socket: req.socket as Socket,
            timeoutInUse,
          }),
        );
      });
      req.on('socket', socket => {
        timeoutInUse = (socket as Socket).timeout;
      });
      req.on('error', reject);
    });
  const get = async (path: string) => {
    const { body, reused } = await send(path);
    return { body, reused };
  };
  const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

  it('keeps a connection for the next request inside the announced limit', async () => {
    await get('/');
    await sleep(200);
    expect((await get('/')).reused).toBe(true);
  });

  it('closes an idle connection a second before the server would', async () => {
    const { socket } = await send('/');
    const answeredAt = performance.now();
    await new Promise(r => socket.once('close', r));
    const idle = performance.now() - answeredAt;
    // The server announced 2 s and would close it then; the client closes it after 1 s.
    expect(idle).toBeGreaterThanOrEqual(900);
    expect(idle).toBeLessThan(1900);
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(0);
    expect(await get('/')).toEqual({ body: 'ok', reused: false });
  });

  it('gives a connection taken up again no timeout while it carries a request', async () => {
    await get('/');
    const slow = await send('/?wait=1500');
    expect(slow).toMatchObject({ body: 'ok', reused: true, timeoutInUse: 0 });
  });
});
