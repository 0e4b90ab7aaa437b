// node:net for the web bundle: isIP (host names in config files) in pure code; no sockets on the web.
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIPv6(s: string): boolean {
  const zone = s.indexOf('%');
  const addr = zone >= 0 ? s.slice(0, zone) : s;
  if (!/^[0-9a-fA-F:.]+$/.test(addr) || !addr.includes(':')) return false;
  let groups = addr.split(':');
  const last = groups[groups.length - 1];
  let extra = 0;
  if (last.includes('.')) {
    if (!IPV4.test(last)) return false;
    groups = groups.slice(0, -1);
    extra = 2;
  }
  const gap = addr.indexOf('::');
  if (gap !== addr.lastIndexOf('::')) return false;
  if (gap >= 0) {
    const parts = groups.filter((g) => g !== '');
    if (addr.startsWith(':') && !addr.startsWith('::')) return false;
    if (addr.endsWith(':') && !addr.endsWith('::')) return false;
    return parts.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) && parts.length + extra <= 7;
  }
  return groups.length + extra === 8 && groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g));
}

export function isIP(s: string): 0 | 4 | 6 {
  return IPV4.test(s) ? 4 : isIPv6(s) ? 6 : 0;
}
export const isIPv4 = (s: string): boolean => IPV4.test(s);
export { isIPv6 };

function noSockets(): never {
  throw new Error('Connections are not available on the web');
}
export const connect = noSockets;
export const createConnection = noSockets;
export class Socket {
  constructor() {
    noSockets();
  }
}
export default { isIP, isIPv4, isIPv6, connect, createConnection, Socket };
