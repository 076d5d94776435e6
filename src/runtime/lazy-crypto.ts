import { createRequire } from 'node:module';

type Crypto = typeof import('node:crypto');
let crypto: Crypto | undefined;

/**
 * node:crypto, loaded when first used. Loading it sets up OpenSSL's bindings: about 8 ms, on the
 * path of every command (the file writer and the classic builder's Dockerfile name need it, rarely).
 */
export function lazyCrypto(): Crypto {
  crypto ??= createRequire(import.meta.url)('node:crypto') as Crypto;
  return crypto;
}
