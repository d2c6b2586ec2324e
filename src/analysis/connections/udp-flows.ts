/**
 * UDP flows for the sessions table: datagrams between two (address, port) endpoints, in either direction,
 * with packets and bytes each way and the time span. The originator is the first sender (endpoint A of
 * the connection table). A flow idle longer than the idle time, or pushed out by the cap, is closed and
 * handed on; a flow holds numbers only, its text is made when it closes.
 */
import type { AnalyzedPacket } from '../analyzed-packet.js';
import type { ConnectionSummary } from '../../report/report-model.js';
import type { PacketLayers } from '../../net/packet-layers.js';
import { ConnectionTable, TrackedConnection, sentByA } from '../connection-table.js';
import { connectionEndpoint } from '../address.js';
import { formatUtc } from '../../model/time.js';

class UdpFlow extends TrackedConnection {
  packetsOut = 0;
  packetsIn = 0;
  bytesOut = 0;
  bytesIn = 0;
  startSec = 0;
  startNsec = 0;
  lastSec = 0;
  lastNsec = 0;
}

export class UdpFlows {
  private readonly flows: ConnectionTable<UdpFlow>;

  /** `onClose` hears of each flow that ends, and may ask for its summary (a row of the sessions table). */
  constructor(idleSec: number, maxFlows: number, onClose: (summary: () => ConnectionSummary) => void) {
    const limits = { idleTimeoutSec: idleSec, closedTimeoutSec: idleSec, maxConnections: maxFlows };
    this.flows = new ConnectionTable(limits, () => new UdpFlow(), undefined, (flow) => onClose(() => summaryOf(flow)));
  }

  get size(): number {
    return this.flows.size;
  }

  /** Counts a UDP datagram (`d`: its layers, ports present) into its flow. */
  observe(p: AnalyzedPacket, d: PacketLayers): void {
    const { timeSec, timeNsec } = p.packet;
    let flow = this.flows.find(d, timeSec);
    if (flow === null) {
      flow = this.flows.open(d, timeSec);
      flow.startSec = timeSec;
      flow.startNsec = timeNsec;
    }
    if (sentByA(flow, d)) {
      flow.packetsOut++;
      flow.bytesOut += d.totalLength;
    } else {
      flow.packetsIn++;
      flow.bytesIn += d.totalLength;
    }
    flow.lastSec = timeSec;
    flow.lastNsec = timeNsec;
    this.flows.touch(flow, timeSec);
  }

  /** Closes every flow still open (end of input). */
  closeAll(): void {
    this.flows.clear();
  }
}

function summaryOf(flow: UdpFlow): ConnectionSummary {
  const elapsed = flow.lastSec - flow.startSec + (flow.lastNsec - flow.startNsec) / 1e9;
  const bytes = flow.bytesOut + flow.bytesIn;
  const originator = connectionEndpoint(flow, true);
  const responder = connectionEndpoint(flow, false);
  return {
    id: `${originator} ↔ ${responder}`,
    protocol: 'udp',
    originator,
    responder,
    state: '-',
    history: '',
    start: formatUtc(flow.startSec, flow.startNsec),
    end: formatUtc(flow.lastSec, flow.lastNsec),
    elapsedSec: round6(elapsed),
    packetsOut: flow.packetsOut,
    packetsIn: flow.packetsIn,
    bytesOut: flow.bytesOut,
    bytesIn: flow.bytesIn,
    serverTimeSec: null,
    networkTimeSec: null,
    rttMinMs: null,
    rttAvgMs: null,
    rttMaxMs: null,
    throughputBytesPerSec: elapsed > 0 ? Math.round(bytes / elapsed) : 0,
    retransmittedBytes: 0,
    duplicateAcks: 0,
    zeroWindowSec: 0,
    mss: '-',
    windowScale: '-',
    findings: [],
  };
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
