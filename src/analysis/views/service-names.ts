/** Port numbers as the report names them ("21 ftp"), from service-names.json. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const table = require('./service-names.json') as { ports: Record<string, string> };

/** The IANA service name of a well-known port, or null. */
export function serviceName(port: number): string | null {
  return table.ports[String(port)] ?? null;
}

/** "tcp/21 (ftp)", "udp/5001". */
export function serviceLabel(protocol: 'tcp' | 'udp', port: number): string {
  const name = serviceName(port);
  return name === null ? `${protocol}/${port}` : `${protocol}/${port} (${name})`;
}
