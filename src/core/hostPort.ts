import { isIP } from 'node:net';

/** host:port as people write it, with brackets around IPv6 (host checks and every report name endpoints so). */
export function hostPortKey(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
