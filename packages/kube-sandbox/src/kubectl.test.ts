import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { loadTopology } from './topology';
import { topologyPath } from './topologies';
import { Sandbox, startSandbox } from './sandbox';

const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const hasKubectl = fs.existsSync(KUBECTL);
if (!hasKubectl) {
  // These tests prove the sandbox against the real client: CI must have it; elsewhere, say so loudly.
  if (process.env.CI)
    throw new Error(
      `kube-sandbox: ${KUBECTL} is absent on CI, where the kubectl tests must run (set KUBECTL to its path)`,
    );
  process.stderr.write(
    `kube-sandbox: kubectl tests skipped: ${KUBECTL} is absent (set KUBECTL to its path)\n`,
  );
}
const describeKubectl = hasKubectl ? describe : describe.skip;

const vs = (subset: string, extra = '') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: bookinfo
  labels: { team: bookinfo }
spec:
  hosts: [reviews.bookinfo.svc.cluster.local]
  http:
  - route:
    - destination: { host: reviews.bookinfo.svc.cluster.local, subset: ${subset} }
      weight: 100
${extra}`;

describeKubectl('kube-sandbox with the real kubectl', () => {
  let sandbox: Sandbox;
  // Asynchronous on purpose: the sandbox answers from this same process, so a synchronous spawn
  // would block the very server kubectl is talking to.
  const kubectl = (args: string[], input?: string) =>
    new Promise<{ status: number | null; out: string; err: string }>(
      (resolve, reject) => {
        const child = spawn(KUBECTL, [
          '--kubeconfig',
          sandbox.kubeconfigPath,
          ...args,
        ]);
        let out = '';
        let err = '';
        child.stdout.on('data', c => (out += c));
        child.stderr.on('data', c => (err += c));
        child.on('error', reject);
        child.on('close', status => resolve({ status, out, err }));
        child.stdin.end(input ?? '');
      },
    );

  beforeAll(async () => {
    sandbox = await startSandbox(loadTopology(topologyPath('demo')), {
      ephemeralPorts: true,
    });
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it('lists the reviews versions on west', async () => {
    const { status, out } = await kubectl([
      '--context',
      'west',
      'get',
      'deployments',
      '-n',
      'bookinfo',
    ]);
    expect(status).toBe(0);
    expect(out).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    for (const d of ['reviews-v1', 'reviews-v2', 'reviews-v3', 'ratings-v1'])
      expect(out).toContain(d);
  });

  it('server-side applies a VirtualService and reads it back with get -o yaml', async () => {
    const applied = await kubectl(
      [
        '--context',
        'east',
        'apply',
        '--server-side',
        '--field-manager',
        'team-a',
        '-f',
        '-',
      ],
      vs('v1'),
    );
    expect(applied.err).toBe('');
    expect(applied.out).toContain(
      'virtualservice.networking.istio.io/reviews serverside-applied',
    );
    const got = await kubectl([
      '--context',
      'east',
      'get',
      'vs',
      'reviews',
      '-n',
      'bookinfo',
      '-o',
      'yaml',
      '--show-managed-fields',
    ]);
    expect(got.out).toMatch(/subset: v1/);
    expect(got.out).toMatch(/manager: team-a/);
  });

  it('lists by label', async () => {
    expect(
      (
        await kubectl([
          '--context',
          'east',
          'get',
          'vs',
          '-n',
          'bookinfo',
          '-l',
          'team=bookinfo',
          '-o',
          'name',
        ])
      ).out.trim(),
    ).toBe('virtualservice.networking.istio.io/reviews');
    expect(
      (
        await kubectl([
          '--context',
          'east',
          'get',
          'vs',
          '-n',
          'bookinfo',
          '-l',
          'team=other',
          '-o',
          'name',
        ])
      ).out.trim(),
    ).toBe('');
  });

  it('reports a conflict between two field managers', async () => {
    const result = await kubectl(
      [
        '--context',
        'east',
        'apply',
        '--server-side',
        '--field-manager',
        'team-b',
        '-f',
        '-',
      ],
      vs('v2'),
    );
    expect(result.status).not.toBe(0);
    expect(result.err).toContain(
      'Apply failed with 1 conflict: conflict with "team-a" using networking.istio.io/v1: .spec.http',
    );
  });

  it('changes nothing on a server dry run', async () => {
    const result = await kubectl(
      [
        '--context',
        'east',
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager',
        'team-b',
        '--dry-run=server',
        '-f',
        '-',
      ],
      vs('v3'),
    );
    expect(result.out).toContain('(server dry run)');
    const subset = await kubectl([
      '--context',
      'east',
      'get',
      'vs',
      'reviews',
      '-n',
      'bookinfo',
      '-o',
      'jsonpath={.spec.http[0].route[0].destination.subset}',
    ]);
    expect(subset.out).toBe('v1');
  });

  it('refuses an invalid VirtualService naming the field', async () => {
    const result = await kubectl(
      [
        '--context',
        'east',
        'apply',
        '--server-side',
        '--field-manager',
        'team-a',
        '-f',
        '-',
      ],
      vs('v1', '    timeout: 500us\n'),
    );
    expect(result.status).not.toBe(0);
    expect(result.err).toContain(
      'The VirtualService "reviews" is invalid: spec.http[0].timeout',
    );
  });

  it('deletes', async () => {
    expect(
      (
        await kubectl([
          '--context',
          'east',
          'delete',
          'vs',
          'reviews',
          '-n',
          'bookinfo',
        ])
      ).out,
    ).toContain('virtualservice.networking.istio.io "reviews" deleted');
    expect(
      (await kubectl(['--context', 'east', 'get', 'vs', '-n', 'bookinfo'])).err,
    ).toContain('No resources found');
  });

  it('streams changes to get -w, from the resourceVersion its list gave', async () => {
    const child = spawn(KUBECTL, [
      '--kubeconfig',
      sandbox.kubeconfigPath,
      '--context',
      'east',
      'get',
      'vs',
      '-n',
      'bookinfo',
      '--watch',
      '--output-watch-events',
    ]);
    let out = '';
    child.stdout.on('data', c => (out += c));
    const seen = async (pattern: RegExp) => {
      for (let i = 0; i < 100 && !pattern.test(out); i++)
        await new Promise(r => setTimeout(r, 100));
      return out;
    };
    try {
      // kubectl lists first ("No resources found" goes to stderr), then watches.
      await new Promise(r => setTimeout(r, 1000));
      await kubectl(
        ['--context', 'east', 'apply', '--server-side', '-f', '-'],
        vs('v1').replace('name: reviews', 'name: watched'),
      );
      expect(await seen(/ADDED\s+watched/)).toMatch(/ADDED\s+watched/);
      await kubectl([
        '--context',
        'east',
        'delete',
        'vs',
        'watched',
        '-n',
        'bookinfo',
      ]);
      expect(await seen(/DELETED\s+watched/)).toMatch(/DELETED\s+watched/);
    } finally {
      child.kill();
    }
  });

  it('pages a list with --chunk-size (limit and continue)', async () => {
    const result = await kubectl([
      '--context',
      'west',
      'get',
      'deployments',
      '-n',
      'bookinfo',
      '--chunk-size=1',
      '-o',
      'name',
      '-v=6',
    ]);
    expect(result.status).toBe(0);
    expect(result.out.trim().split('\n').length).toBeGreaterThan(3);
    expect(result.err).toMatch(/continue=/);
  });
});
