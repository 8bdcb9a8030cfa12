/** Thrown at start-up when the module is misconfigured; the message names the option. */
export class ShieldConfigurationError extends Error {
  constructor(message: string) {
    super(`nestjs-api-shield: ${message}`);
    this.name = 'ShieldConfigurationError';
  }
}
