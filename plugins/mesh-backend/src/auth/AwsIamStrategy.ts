import { Sha256 } from '@aws-crypto/sha256-js';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { Config } from '@backstage/config';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import {
  MeshAuthStrategy,
  MeshClusterCredential,
  MeshClusterDetails,
} from '@meshtraffic/backstage-plugin-mesh-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** The Kubernetes plugin's annotation keys, so its clusters' `authMetadata` means the same here. */
export const AWS_ANNOTATIONS = {
  clusterId: 'kubernetes.io/x-k8s-aws-id',
  assumeRole: 'kubernetes.io/aws-assume-role',
  externalId: 'kubernetes.io/aws-external-id',
  /** Ours: the STS region to sign for (a cluster in an opt-in region needs its own). */
  region: 'mesh.meshtraffic.io/aws-region',
};

/** EKS accepts a token for 15 minutes after it is signed; ours are renewed well before. */
const TOKEN_LIFETIME_MS = 14 * 60_000;

/**
 * EKS through IAM, as the Kubernetes plugin does it and `aws eks get-token` does: a presigned STS
 * GetCallerIdentity URL naming the cluster, with the credentials of Backstage's AWS integration
 * (`aws.mainAccount` / `aws.accounts`), assuming `kubernetes.io/aws-assume-role` when the cluster
 * names one, for the cluster's `mesh.meshtraffic.io/aws-region` (else `AWS_REGION`, else us-east-1). The token is kept until it, or the credentials it was signed with, expire.
 */
export class AwsIamStrategy implements MeshAuthStrategy {
  constructor(
    private readonly credentials: AwsCredentialsManager,
    private readonly now: () => number = Date.now,
  ) {}

  static fromConfig(config: Config) {
    return new AwsIamStrategy(DefaultAwsCredentialsManager.fromConfig(config));
  }

  async getCredential(
    cluster: MeshClusterDetails,
  ): Promise<MeshClusterCredential> {
    const meta = cluster.authMetadata;
    const region =
      meta[AWS_ANNOTATIONS.region] ?? process.env.AWS_REGION ?? 'us-east-1';
    const main = await this.masterCredentials(meta[AWS_ANNOTATIONS.assumeRole]);
    const provider = meta[AWS_ANNOTATIONS.assumeRole]
      ? fromTemporaryCredentials({
          masterCredentials: main.sdkCredentialProvider,
          clientConfig: { region },
          params: {
            RoleArn: meta[AWS_ANNOTATIONS.assumeRole],
            ExternalId: meta[AWS_ANNOTATIONS.externalId],
          },
        })
      : main.sdkCredentialProvider;
    const identity = await provider();
    const signer = new SignatureV4({
      credentials: identity,
      region,
      service: 'sts',
      sha256: Sha256,
    });
    const signed = await signer.presign(
      {
        headers: {
          host: `sts.${region}.amazonaws.com`,
          'x-k8s-aws-id': meta[AWS_ANNOTATIONS.clusterId] ?? cluster.name,
        },
        hostname: `sts.${region}.amazonaws.com`,
        method: 'GET',
        path: '/',
        protocol: 'https:',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      },
      { expiresIn: 60 },
    );
    const query = new URLSearchParams(
      signed.query as Record<string, string>,
    ).toString();
    const url = `https://${signed.hostname}${signed.path}?${query}`;
    const expiresAt = Math.min(
      this.now() + TOKEN_LIFETIME_MS,
      identity.expiration?.getTime() ?? Infinity,
    );
    return {
      type: 'bearer token',
      token: `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`,
      expiresAt: new Date(expiresAt),
    };
  }

  /**
   * The credentials to sign (or assume the role) with: the AWS integration's account of the
   * role's ARN when it has one, its main account otherwise, as the Kubernetes plugin chooses.
   */
  private async masterCredentials(assumeRole?: string) {
    if (!assumeRole) return this.credentials.getCredentialProvider();
    try {
      return await this.credentials.getCredentialProvider({ arn: assumeRole });
    } catch (e) {
      if (
        !String((e as Error)?.message).includes(
          'no AWS integration that matches',
        )
      )
        throw e;
      return this.credentials.getCredentialProvider();
    }
  }

  validateCluster(): Error[] {
    return [];
  }
}
