/**
 * A config key the backend cannot start with; the message names the key and never a secret's value.
 *
 * @public
 */
export class MeshConfigError extends Error {
  constructor(message: string) {
    super(`Invalid mesh config: ${message}`);
    this.name = 'MeshConfigError';
  }
}
