import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  isNamespaceAllowed,
  namespaceOwners,
  readMeshConfig,
  unverifiedClusters,
} from './readMeshConfig';

const TOKEN = 'tok-0123456789abcdefghijklmnop';

function cluster(overrides: Record<string, unknown> = {}) {
  return {
    name: 'east',
    url: 'https://127.0.0.1:6443',
    role: 'primary',
    authProvider: 'serviceAccount',
    serviceAccountToken: TOKEN,
    ...overrides,
  };
}

const read = (clusters: any[], mesh: Record<string, any> = {}) =>
  readMeshConfig(
    new ConfigReader({ mesh: { meshes: [{ id: 'demo', clusters, ...mesh }] } }),
  );

describe('readMeshConfig', () => {
  it('reads meshes, clusters and their topology', () => {
    const config = read([
      cluster(),
      cluster({ name: 'west' }),
      cluster({ name: 'edge', role: 'remote' }),
    ]);
    expect(
      config.meshes[0].topology.clusters.map(c => `${c.name}:${c.role}`),
    ).toEqual(['east:primary', 'west:primary', 'edge:remote']);
    expect(config.meshes[0].clusters[0]).toMatchObject({
      requestTimeoutMs: 10000,
      skipTLSVerify: false,
    });
  });

  it('refuses a mesh cluster supplied with a user-token authProvider (google, aks, oidc), saying what to use instead', () => {
    for (const [authProvider, instead] of [
      ['google', /googleServiceAccount/],
      ['aks', /authProvider azure/],
      ['oidc', /serviceAccount/],
    ] as const) {
      const config = new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                { name: 'east', url: 'https://east.example.com', authProvider },
              ],
            },
          ],
        },
        mesh: {
          meshes: [
            { id: 'demo', clusters: [{ name: 'east', role: 'primary' }] },
          ],
        },
      });
      let message = '';
      try {
        readMeshConfig(config);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(
        /kubernetes\.clusterLocatorMethods\[0\]\.clusters\[0\]\.authProvider ".*" carries the signed-in user's own token/,
      );
      expect(message).toMatch(instead);
    }
  });

  it('leaves a user-token cluster of the Kubernetes plugin alone when no mesh names it', () => {
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'dev',
                url: 'https://dev.example.com',
                authProvider: 'oidc',
              },
            ],
          },
        ],
      },
      mesh: { meshes: [{ id: 'demo', clusters: [cluster()] }] },
    });
    expect(readMeshConfig(config).meshes[0].clusters).toHaveLength(1);
  });

  it('refuses two supplied clusters of one name, naming both sources', () => {
    const supplied = (source: string) => ({
      name: 'east',
      url: 'https://east.example.com',
      authProvider: 'serviceAccount',
      authMetadata: { serviceAccountToken: TOKEN },
      source,
    });
    expect(() =>
      readMeshConfig(
        new ConfigReader({
          mesh: { meshes: [{ id: 'demo', clusters: [cluster()] }] },
        }),
        { suppliedClusters: [supplied('supplier a'), supplied('supplier b')] },
      ),
    ).toThrow(
      /cluster name "east" is supplied twice \(supplier a and supplier b\)/,
    );
  });

  it('is empty without a mesh section', () => {
    expect(readMeshConfig(new ConfigReader({}))).toMatchObject({
      meshes: [],
      changeLockTtlMs: 30_000,
      canaryCheckMs: 10_000,
    });
  });

  it('refuses a canary check period under a second, naming the key', () => {
    expect(() =>
      readMeshConfig(
        new ConfigReader({ mesh: { meshes: [], canaryCheckSeconds: 0 } }),
      ),
    ).toThrow(/mesh.canaryCheckSeconds must be at least 1/);
  });

  it.each([
    [
      [cluster({ role: 'boss' })],
      /mesh\.meshes\[0\]\.clusters\[0\]\.role must be one of primary, remote, config/,
    ],
    [
      [cluster({ authProvider: 'magic' })],
      /clusters\[0\]\.authProvider "magic" has no auth strategy; this backend has serviceAccount, kubeconfig, inCluster, google, aws, azure/,
    ],
    [
      [cluster({ serviceAccountToken: undefined })],
      /clusters\[0\]: serviceAccountToken is required with authProvider serviceAccount/,
    ],
    [
      [cluster({ authProvider: 'kubeconfig', serviceAccountToken: undefined })],
      /clusters\[0\]: kubeconfigPath is required with authProvider kubeconfig/,
    ],
    [
      [cluster({ url: 'ftp://x' })],
      /clusters\[0\]\.url must be an http\(s\) URL/,
    ],
    [[cluster(), cluster()], /clusters\[1\]\.name "east" is used twice/],
    [
      [{ name: 'east', role: 'primary' }],
      /clusters\[0\] "east" gives no url and authProvider, and no cluster supplier has a cluster of that name/,
    ],
    [
      [cluster({ url: undefined })],
      /clusters\[0\]\.url must be an http\(s\) URL/,
    ],
    [
      [cluster({ role: 'remote' })],
      /mesh\.meshes\[0\]: mesh demo has no cluster that holds routing config/,
    ],
    [
      [cluster({ url: 'http://10.0.0.1:8080' })],
      /clusters\[0\]\.url is http: but mesh\.meshes\[0\]\.clusters\[0\]\.serviceAccountToken would be sent over it/,
    ],
  ])('names the bad key (%#)', (clusters, message) => {
    expect(() => read(clusters as any[])).toThrow(message);
  });

  it('never puts a token in an error message', () => {
    let message = '';
    try {
      read([cluster({ url: 'not a url' })]);
    } catch (e) {
      message = String(e);
    }
    expect(message).toMatch(/url must be/);
    expect(message).not.toContain(TOKEN);
  });
});

describe('isNamespaceAllowed', () => {
  it('refuses system and control plane namespaces by default', () => {
    const [mesh] = read([cluster()]).meshes;
    expect(isNamespaceAllowed(mesh, 'bookinfo')).toBe(true);
    for (const ns of ['kube-system', 'kube-public', 'istio-system'])
      expect(isNamespaceAllowed(mesh, ns)).toBe(false);
  });

  it('allows only the listed namespaces when a list is given', () => {
    const [mesh] = read([cluster()], {
      allowedNamespaces: ['bookinfo'],
      controlPlaneNamespace: 'mesh-cp',
    }).meshes;
    expect(isNamespaceAllowed(mesh, 'bookinfo')).toBe(true);
    expect(isNamespaceAllowed(mesh, 'shop')).toBe(false);
    expect(isNamespaceAllowed(mesh, 'mesh-cp')).toBe(false);
  });
});

describe('trust domain', () => {
  it('is cluster.local unless configured, and refuses one that cannot start a principal', () => {
    expect(read([cluster()]).meshes[0].trustDomain).toBe('cluster.local');
    expect(
      read([cluster()], { trustDomain: 'corp.example' }).meshes[0].trustDomain,
    ).toBe('corp.example');
    expect(() => read([cluster()], { trustDomain: 'corp/ns' })).toThrow(
      /mesh\.meshes\[0\]\.trustDomain must be a trust domain such as cluster\.local, not "corp\/ns"/,
    );
  });
});

describe('namespace owners and TLS', () => {
  it('reads the groups that own a namespace, naming a bad ref', () => {
    const [mesh] = read([cluster()], {
      namespaces: [
        { name: 'bookinfo', owners: ['group:default/bookinfo-team'] },
      ],
    }).meshes;
    expect(namespaceOwners(mesh, 'bookinfo')).toEqual([
      'group:default/bookinfo-team',
    ]);
    expect(namespaceOwners(mesh, 'shop')).toBeUndefined();
    expect(() =>
      read([cluster()], {
        namespaces: [{ name: 'bookinfo', owners: ['bookinfo-team'] }],
      }),
    ).toThrow(
      /mesh\.meshes\[0\]\.namespaces\[0\]\.owners: "bookinfo-team" is not a group entity ref/,
    );
  });

  it('lists the clusters whose TLS is not verified, and takes http: without a token', () => {
    const kubeconfigPath = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-config-')),
      'kubeconfig',
    );
    fs.writeFileSync(
      kubeconfigPath,
      JSON.stringify({
        clusters: [{ name: 'p', cluster: { server: 'http://127.0.0.1:8001' } }],
        users: [{ name: 'u', user: {} }],
        contexts: [{ name: 'proxy', context: { cluster: 'p', user: 'u' } }],
        'current-context': 'proxy',
      }),
    );
    const config = read([
      cluster({ skipTLSVerify: true }),
      cluster({
        name: 'local',
        url: undefined,
        authProvider: 'kubeconfig',
        kubeconfigPath,
        serviceAccountToken: undefined,
      }),
    ]);
    expect(unverifiedClusters(config)).toEqual(['demo/east']);
    // Where the cluster is comes from the kubeconfig when the config does not say.
    expect(config.meshes[0].clusters[1].url).toBe('http://127.0.0.1:8001');
    expect(() =>
      read([
        cluster({
          authProvider: 'kubeconfig',
          kubeconfigPath: '/nowhere/kubeconfig',
          serviceAccountToken: undefined,
        }),
      ]),
    ).toThrow(
      /mesh\.meshes\[0\]\.clusters\[0\]: cannot read the cluster's kubeconfig config \(ENOENT\)/,
    );
  });
});

describe('a mesh’s Prometheus', () => {
  it('reads its URL, auth and cluster label mapping, with a default timeout', () => {
    const [mesh] = read([cluster()], {
      prometheus: {
        url: 'https://prom.example.com/',
        token: TOKEN,
        clusterLabels: { east: 'cluster-east' },
      },
    }).meshes;
    expect(mesh.prometheus).toEqual({
      url: 'https://prom.example.com',
      token: TOKEN,
      clusterLabels: { east: 'cluster-east' },
      requestTimeoutMs: 5000,
    });
    expect(read([cluster()]).meshes[0].prometheus).toBeUndefined();
  });

  it.each([
    [{ url: 'prom:9090' }, /prometheus\.url must be an http\(s\) URL/],
    [
      { url: 'http://prom:9090', token: TOKEN },
      /credentials would cross the network in clear/,
    ],
    [
      { url: 'https://prom', token: TOKEN, username: 'u', password: 'p' },
      /either token or username and password/,
    ],
    [
      { url: 'https://prom', username: 'u' },
      /username and password go together/,
    ],
    [
      { url: 'https://prom', requestTimeout: 0 },
      /requestTimeout must be a positive number/,
    ],
  ])(
    'refuses %j, naming the key and never the secret',
    (prometheus, message) => {
      let error: unknown;
      try {
        read([cluster()], { prometheus });
      } catch (e) {
        error = e;
      }
      expect(String(error)).toMatch(message);
      expect(String(error)).not.toContain(TOKEN);
    },
  );
});
