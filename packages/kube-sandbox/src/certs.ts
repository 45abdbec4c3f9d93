import * as x509 from '@peculiar/x509';
import crypto from 'node:crypto';

export interface ClusterCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
}

x509.cryptoProvider.set(crypto.webcrypto as Crypto);

// ECDSA P-256 through WebCrypto: native and fast (a few ms a cluster), which matters because
// every test starts clusters of its own; kubectl and Node's TLS both accept it.
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

function serial() {
  return `01${crypto.randomBytes(15).toString('hex')}`;
}

/** A fresh CA and a serving certificate for 127.0.0.1 and localhost, made for one cluster. */
export async function makeClusterCertificates(
  clusterName: string,
): Promise<ClusterCertificates> {
  const subtle = crypto.webcrypto.subtle;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 365 * 24 * 3600_000);

  const caKeys = (await subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=kube-sandbox-ca-${clusterName}`,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
    ],
  });

  const keys = (await subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=kube-apiserver-${clusterName}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature |
          x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });

  return {
    caPem: ca.toString('pem'),
    certPem: cert.toString('pem'),
    keyPem: crypto.KeyObject.from(keys.privateKey)
      .export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  };
}
