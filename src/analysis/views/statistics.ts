/**
 * Statistics like IBM's packet trace formatter prints at the end (analysis.md §6): records by format ID,
 * and packets by IP version, device, interface, job, protocol, address and port, each with in/out counts,
 * bytes and the first and last time. Each table keeps at most `maxRows` keys; packets of later keys are
 * summed in an "(other)" row, so the tables stay small whatever the trace.
 */
import { type AnalyzedPacket, datagramOf } from '../analyzed-packet.js';
import type { StatisticsTable } from '../../report/report-model.js';
import type { ReadSummary } from '../../ctrace/read-summary.js';
import { type PacketLayers } from '../../net/packet-layers.js';
import { IpProtocol } from '../../net/ip-protocols.js';
import { destinationKey, hostKeyText, sourceKey, type HostKey } from '../address.js';
import { protocolColumn } from './packet-rows.js';
import { serviceLabel } from './service-names.js';
import { compareTime, formatUtc } from '../../model/time.js';

const OTHER = '(other)';

class Row {
  packets = 0;
  in = 0;
  out = 0;
  bytes = 0;
  firstSec = 0;
  firstNsec = 0;
  lastSec = 0;
  lastNsec = 0;

  constructor(readonly label: string) {}

  add(sec: number, nsec: number, bytes: number, inbound: boolean, outbound: boolean): void {
    if (this.packets === 0 || compareTime(sec, nsec, this.firstSec, this.firstNsec) < 0) {
      this.firstSec = sec;
      this.firstNsec = nsec;
    }
    if (this.packets === 0 || compareTime(sec, nsec, this.lastSec, this.lastNsec) > 0) {
      this.lastSec = sec;
      this.lastNsec = nsec;
    }
    this.packets++;
    this.bytes += bytes;
    if (inbound) this.in++;
    if (outbound) this.out++;
  }
}

/** One table: rows by key, capped, with an "(other)" row for keys past the cap. */
class Counter<K> {
  private readonly rows = new Map<K, Row>();
  private other: Row | null = null;
  /** The row asked for last: neighbouring packets mostly share their link, version and protocol. */
  private lastKey: K | undefined = undefined;
  private lastRow: Row | null = null;

  constructor(
    readonly title: string,
    readonly columns: string[],
    private readonly maxRows: number,
    private readonly labelOf: (key: K) => string,
  ) {}

  row(key: K): Row {
    if (key === this.lastKey && this.lastRow !== null) return this.lastRow;
    const row = this.rowOf(key);
    this.lastKey = key;
    this.lastRow = row;
    return row;
  }

  private rowOf(key: K): Row {
    const known = this.rows.get(key);
    if (known !== undefined) return known;
    if (this.rows.size >= this.maxRows) return (this.other ??= new Row(OTHER));
    const row = new Row(this.labelOf(key));
    this.rows.set(key, row);
    return row;
  }

  table(): StatisticsTable {
    const rows = [...this.rows.values()].sort((a, b) => b.packets - a.packets || a.label.localeCompare(b.label));
    if (this.other !== null) rows.push(this.other);
    const shown = rows.map((r) => [r.label, r.packets, r.in, r.out, r.bytes, formatUtc(r.firstSec, r.firstNsec), formatUtc(r.lastSec, r.lastNsec)]);
    return { title: this.title, columns: this.columns, rows: { rows: shown, total: shown.length, omitted: 0 } };
  }
}

const UDP_PORT_KEY = 65536;

function portLabel(key: number): string {
  return key >= UDP_PORT_KEY ? serviceLabel('udp', key - UDP_PORT_KEY) : serviceLabel('tcp', key);
}

const COLUMNS = (what: string): string[] => [what, 'Packets', 'In', 'Out', 'Bytes', 'First', 'Last'];

export class Statistics {
  private readonly ipVersion: Counter<string>;
  private readonly device: Counter<string>;
  private readonly iface: Counter<string>;
  private readonly job: Counter<string>;
  private readonly protocol: Counter<string>;
  private readonly address: Counter<HostKey>;
  private readonly port: Counter<number>;

  constructor(maxRows: number) {
    this.ipVersion = new Counter('IP version', COLUMNS('IP version'), maxRows, String);
    this.device = new Counter('Device', COLUMNS('Device type'), maxRows, String);
    this.iface = new Counter('Interface', COLUMNS('Interface (link)'), maxRows, String);
    this.job = new Counter('Job', COLUMNS('Job name'), maxRows, String);
    this.protocol = new Counter('Protocol', COLUMNS('Protocol'), maxRows, String);
    // For an address, "In" is what it received and "Out" what it sent.
    this.address = new Counter('Address', ['Address', 'Packets', 'Received', 'Sent', 'Bytes', 'First', 'Last'], maxRows, hostKeyText);
    this.port = new Counter('Port (the lower port of each packet: usually the service)', COLUMNS('Port'), maxRows, portLabel);
  }

  observe(p: AnalyzedPacket): void {
    const packet = p.packet;
    const { timeSec: sec, timeNsec: nsec } = packet;
    const bytes = packet.originalLength;
    const inbound = packet.direction === 'inbound';
    const outbound = packet.direction === 'outbound';
    const d = datagramOf(p);
    const version = d === null ? 'non-IP' : d.ipVersion === 6 ? 'IPv6' : 'IPv4';
    this.ipVersion.row(version).add(sec, nsec, bytes, inbound, outbound);
    this.device.row(packet.ctrace?.deviceName ?? packet.interface.description).add(sec, nsec, bytes, inbound, outbound);
    this.iface.row(packet.interface.name).add(sec, nsec, bytes, inbound, outbound);
    const job = packet.ctrace?.extra['job'];
    if (typeof job === 'string') this.job.row(job).add(sec, nsec, bytes, inbound, outbound);
    this.protocol.row(protocolColumn(d)).add(sec, nsec, bytes, inbound, outbound);
    if (d !== null) this.observeIp(d, sec, nsec, bytes, inbound, outbound);
  }

  private observeIp(d: PacketLayers, sec: number, nsec: number, bytes: number, inbound: boolean, outbound: boolean): void {
    this.address.row(sourceKey(d)).add(sec, nsec, bytes, false, true);
    this.address.row(destinationKey(d)).add(sec, nsec, bytes, true, false);
    if (d.sourcePort < 0 || (d.protocol !== IpProtocol.TCP && d.protocol !== IpProtocol.UDP)) return;
    // TCP ports key as the number, UDP ports as the number + 65536: one map, no string per packet.
    const port = Math.min(d.sourcePort, d.destinationPort);
    this.port.row(d.protocol === IpProtocol.TCP ? port : port + UDP_PORT_KEY).add(sec, nsec, bytes, inbound, outbound);
  }

  /** The tables, records by format ID (from the CTRACE inputs' read summaries) first. */
  tables(summaries: readonly (ReadSummary | null)[]): StatisticsTable[] {
    const formats = new Map<string, (string | number)[]>();
    for (const summary of summaries) {
      if (summary === null) continue;
      for (const row of summary.entriesByFormat) {
        const key = `${summary.component}|${row.formatId}`;
        const known = formats.get(key);
        if (known !== undefined) known[3] = Number(known[3]) + row.entries;
        else formats.set(key, [summary.component, formatIdText(summary.component, row.formatId), row.label, row.entries]);
      }
    }
    const formatRows = [...formats.values()];
    const tables: StatisticsTable[] = [];
    if (formatRows.length > 0) {
      tables.push({ title: 'Records by format ID', columns: ['Component', 'Format ID', 'Meaning', 'Records'], rows: { rows: formatRows, total: formatRows.length, omitted: 0 } });
    }
    for (const counter of [this.ipVersion, this.device, this.iface, this.job, this.protocol, this.address, this.port]) {
      const table = counter.table();
      if (table.rows.rows.length > 0) tables.push(table);
    }
    return tables;
  }
}

/** IDS format IDs are probe IDs: shown in hex as IBM prints them. */
function formatIdText(component: string, formatId: number): string {
  return component === 'SYSTCPIS' ? (formatId >>> 0).toString(16).toUpperCase().padStart(8, '0') : String(formatId);
}
