import { ConfigReader } from '@backstage/config';
import { MeshClusterDetails } from '@meshtraffic/backstage-plugin-mesh-node';
import { GoogleAuth } from 'google-auth-library';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AwsIamStrategy } from './AwsIamStrategy';
import { AzureStrategy } from './AzureStrategy';
import { GoogleStrategy } from './GoogleStrategy';
import { KubeConfigStrategy, kubeConfigEndpoint } from './KubeConfigStrategy';
import { ServiceAccountStrategy } from './ServiceAccountStrategy';

// STS's AssumeRole is the boundary: the role's credentials come from here, not from AWS.
jest.mock('@aws-sdk/credential-providers', () => ({
  ...jest.requireActual('@aws-sdk/credential-providers'),
  fromTemporaryCredentials: jest.fn(),
}));
const { fromTemporaryCredentials } = jest.requireMock(
  '@aws-sdk/credential-providers',
);

const cluster = (
  authMetadata: Record<string, string> = {},
  authProvider = 'aws',
): MeshClusterDetails => ({
  name: 'east',
  url: 'https://east.example.com',
  authProvider,
  authMetadata,
});

/** The STS URL inside an EKS token, with its query. */
function stsUrlOf(token: string) {
  expect(token).toMatch(/^k8s-aws-v1\./);
  return new URL(
    Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString(),
  );
}

describe('aws (EKS through IAM)', () => {
  const config = new ConfigReader({
    aws: {
      mainAccount: { accessKeyId: 'AKIAMAIN', secretAccessKey: 'main-secret' },
    },
  });

  it('presigns GetCallerIdentity for the cluster with the AWS integration’s main account', async () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    const strategy = new AwsIamStrategy(
      (AwsIamStrategy.fromConfig(config) as any).credentials,
      () => now,
    );
    const credential = await strategy.getCredential(
      cluster({ 'kubernetes.io/x-k8s-aws-id': 'prod-eks' }),
    );
    expect(credential.type).toBe('bearer token');
    const url = stsUrlOf((credential as any).token);
    expect(url.host).toBe('sts.us-east-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIAMAIN\//);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'host;x-k8s-aws-id',
    );
    // Renewed before EKS's 15 minutes run out.
    expect((credential as any).expiresAt.getTime()).toBe(now + 14 * 60_000);
  });

  it('assumes the cluster’s role through STS, and expires with the assumed credentials', async () => {
    const expiration = new Date(Date.now() + 5 * 60_000);
    fromTemporaryCredentials.mockReturnValue(async () => ({
      accessKeyId: 'ASIAASSUMED',
      secretAccessKey: 's',
      sessionToken: 'session',
      expiration,
    }));
    // The role's account is an account of the AWS integration: no call to find it.
    const withAccount = new ConfigReader({
      aws: {
        accounts: [
          {
            accountId: '123456789012',
            accessKeyId: 'AKIAACCOUNT',
            secretAccessKey: 'account-secret',
          },
        ],
      },
    });
    const credential = await AwsIamStrategy.fromConfig(
      withAccount,
    ).getCredential(
      cluster({
        'kubernetes.io/aws-assume-role': 'arn:aws:iam::123456789012:role/mesh',
        'kubernetes.io/aws-external-id': 'ext-1',
        'mesh.meshtraffic.io/aws-region': 'ap-east-1',
      }),
    );
    const assume = fromTemporaryCredentials.mock.calls[0][0];
    await expect(assume.masterCredentials()).resolves.toMatchObject({
      accessKeyId: 'AKIAACCOUNT',
    });
    expect(fromTemporaryCredentials).toHaveBeenCalledWith(
      expect.objectContaining({
        clientConfig: { region: 'ap-east-1' },
        params: {
          RoleArn: 'arn:aws:iam::123456789012:role/mesh',
          ExternalId: 'ext-1',
        },
      }),
    );
    const url = stsUrlOf((credential as any).token);
    // Signed for the cluster's own region's STS.
    expect(url.host).toBe('sts.ap-east-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^ASIAASSUMED\/\d{8}\/ap-east-1\/sts\//,
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session');
    // The cluster name is what EKS checks when no id is given.
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain(
      'x-k8s-aws-id',
    );
    expect((credential as any).expiresAt).toEqual(expiration);
  });
});

describe('google (GKE)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('takes google-auth-library’s access token with its expiry', async () => {
    const expiry = Date.now() + 3600_000;
    const getClient = jest
      .spyOn(GoogleAuth.prototype, 'getClient')
      .mockResolvedValue({
        getAccessToken: async () => ({ token: 'ya29.gke' }),
        credentials: { expiry_date: expiry },
      } as any);
    const credential = await GoogleStrategy.withCredentials().getCredential();
    expect(getClient).toHaveBeenCalled();
    expect(credential).toEqual({
      type: 'bearer token',
      token: 'ya29.gke',
      expiresAt: new Date(expiry),
    });
  });

  it('uses the service-account key from config, and refuses one that is not JSON', async () => {
    const strategy = GoogleStrategy.withCredentials(
      JSON.stringify({ type: 'service_account', client_email: 'mesh@p.iam' }),
    );
    expect(((strategy as any).auth as any).jsonContent).toMatchObject({
      client_email: 'mesh@p.iam',
    });
    expect(() => GoogleStrategy.withCredentials('{not json')).toThrow(
      /not JSON/,
    );
  });

  it('fails clearly when Google gives no token', async () => {
    jest.spyOn(GoogleAuth.prototype, 'getClient').mockResolvedValue({
      getAccessToken: async () => ({ token: null }),
      credentials: {},
    } as any);
    await expect(
      GoogleStrategy.withCredentials().getCredential(),
    ).rejects.toThrow(/no access token/);
  });
});

describe('azure (AKS)', () => {
  it('asks Entra ID for the AKS scope and keeps the token’s expiry', async () => {
    const getToken = jest.fn(async () => ({
      token: 'aks-token',
      expiresOnTimestamp: 1_900_000_000_000,
    }));
    const credential = await new AzureStrategy({ getToken }).getCredential();
    expect(getToken).toHaveBeenCalledWith(
      '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
      expect.anything(),
    );
    expect(credential).toEqual({
      type: 'bearer token',
      token: 'aks-token',
      expiresAt: new Date(1_900_000_000_000),
    });
  });
});

describe('serviceAccount and kubeconfig', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-kubeconfig-'));
  const kubeconfig = (user: Record<string, string>) => {
    const file = path.join(dir, `${Object.keys(user).join('-')}.yaml`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: {
              server: 'https://10.1.2.3:6443',
              'certificate-authority-data':
                Buffer.from('CA').toString('base64'),
            },
          },
        ],
        users: [{ name: 'u', user }],
        contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'ctx',
      }),
    );
    return file;
  };

  it('sends the configured service-account token, and requires one', async () => {
    const strategy = new ServiceAccountStrategy();
    await expect(
      strategy.getCredential(
        cluster({ serviceAccountToken: 'sa-token' }, 'serviceAccount'),
      ),
    ).resolves.toEqual({ type: 'bearer token', token: 'sa-token' });
    expect(
      strategy.validateCluster(cluster({}, 'serviceAccount'))[0].message,
    ).toMatch(/serviceAccountToken is required/);
  });

  it('takes a token, or a client certificate, from the kubeconfig’s user', async () => {
    const strategy = new KubeConfigStrategy('kubeconfig');
    await expect(
      strategy.getCredential(
        cluster({ kubeconfigPath: kubeconfig({ token: 'kc-token' }) }),
      ),
    ).resolves.toEqual({ type: 'bearer token', token: 'kc-token' });
    const withCert = {
      ...cluster({
        kubeconfigPath: kubeconfig({
          'client-certificate-data': Buffer.from('CERT').toString('base64'),
          'client-key-data': Buffer.from('KEY').toString('base64'),
        }),
      }),
      name: 'west',
    };
    await expect(strategy.getCredential(withCert)).resolves.toEqual({
      type: 'x509 client certificate',
      cert: 'CERT',
      key: 'KEY',
    });
  });

  it('keeps one mesh’s kubeconfig credential from another mesh’s cluster of the same name', async () => {
    const strategy = new KubeConfigStrategy('kubeconfig');
    const fileWith = (token: string) => {
      const file = path.join(dir, `${token}.yaml`);
      fs.copyFileSync(kubeconfig({ token }), file);
      return file;
    };
    const east = (mesh: string, token: string) => ({
      ...cluster({ kubeconfigPath: fileWith(token) }),
      name: 'east',
      mesh,
    });
    const a = east('mesh-a', 'mesh-a-token');
    const b = east('mesh-b', 'mesh-b-token');
    for (const [details, token] of [
      [a, 'mesh-a-token'],
      [b, 'mesh-b-token'],
      [a, 'mesh-a-token'],
    ] as const)
      await expect(strategy.getCredential(details)).resolves.toEqual({
        type: 'bearer token',
        token,
      });
  });

  it('reads where the cluster is and its CA from the kubeconfig', () => {
    expect(
      kubeConfigEndpoint('kubeconfig', {
        kubeconfigPath: kubeconfig({ token: 't' }),
      }),
    ).toEqual({
      url: 'https://10.1.2.3:6443',
      caData: Buffer.from('CA').toString('base64'),
      skipTLSVerify: false,
    });
  });
});
