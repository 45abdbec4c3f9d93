import path from 'node:path';

/** The package's own folder: the sandbox runs from source (never built), so this is stable. */
// eslint-disable-next-line no-restricted-syntax
export const PACKAGE_DIR = path.resolve(__dirname, '..');

/** The path of a topology shipped with the sandbox: demo, primary-remote, external-control-plane. */
export function topologyPath(
  name: 'demo' | 'primary-remote' | 'external-control-plane' | string,
): string {
  return path.join(PACKAGE_DIR, 'topologies', `${name}.yaml`);
}
