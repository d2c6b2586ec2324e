/**
 * Runs packet analyzers on built or captured frames the way the analysis pipeline does: each frame becomes
 * a TracePacket and an AnalyzedPacket with its TCP view, the TCP analyzer's flags and connection, then
 * every analyzer observes it in turn. Also writes frames as a pcap through our own capture writer, for
 * tshark to decode the same packets.
 */
import type { AnalyzedPacket, PacketAnalyzer } from '../../src/analysis/analyzed-packet.js';
import type { Finding } from '../../src/analysis/finding.js';
import { createApplicationAnalyzers, describeApplication } from '../../src/analysis/application/index.js';
import { TcpAnalyzer } from '../../src/analysis/tcp/tcp-analyzer.js';
import { createCaptureWriter } from '../../src/capture/capture-writer.js';
import { LinkType } from '../../src/capture/link-types.js';
import type { TracePacket } from '../../src/model/trace-packet.js';
import { TcpPacketView, readTcpPacket } from '../../src/net/packet-view.js';
import type { BuiltFrame } from './tcp-frame-builder.js';
import { RAW_IP_INTERFACE } from './tshark.js';

export interface HarnessFrame extends BuiltFrame {
  linkType?: number;
}

function tracePacketOf(frame: HarnessFrame): TracePacket {
  const linkType = frame.linkType ?? LinkType.RAW;
  return {
    timeSec: frame.timeSec,
    timeNsec: frame.timeNsec,
    interface: { ...RAW_IP_INTERFACE, component: null, linkType },
    direction: 'unknown',
    data: frame.data,
    originalLength: frame.originalLength,
    ctrace: null,
  };
}

/** The frames as AnalyzedPackets, numbered from 1, with the TCP facts the pipeline adds. */
export function* analyzedPackets(frames: Iterable<HarnessFrame>): Generator<AnalyzedPacket> {
  const tcpAnalyzer = new TcpAnalyzer();
  let frameNumber = 0;
  for (const frame of frames) {
    const packet = tracePacketOf(frame);
    const view = new TcpPacketView();
    const isTcp = readTcpPacket(packet, view);
    const tcpFlags = tcpAnalyzer.analyze(packet);
    yield {
      frame: ++frameNumber,
      input: 0,
      packet,
      tcp: isTcp ? view : null,
      tcpFlags,
      tcpConnection: isTcp ? tcpAnalyzer.lastConnection : null,
      tcpFromA: tcpAnalyzer.lastSentByA,
    };
  }
}

/** Every finding of `analyzers` (default: all application analyzers with default thresholds). */
export function runAnalyzers(frames: Iterable<HarnessFrame>, analyzers: PacketAnalyzer[] = createApplicationAnalyzers({})): Finding[] {
  for (const p of analyzedPackets(frames)) for (const analyzer of analyzers) analyzer.observe(p);
  return analyzers.flatMap((analyzer) => analyzer.finish());
}

/** describeApplication for each frame, by frame number (1-based; index 0 unused). */
export function labels(frames: Iterable<HarnessFrame>): (string | null)[] {
  const out: (string | null)[] = [null];
  for (const p of analyzedPackets(frames)) out.push(describeApplication(p));
  return out;
}

/** Writes the frames as a raw-IP pcap (nanosecond times) with the project's capture writer. */
export async function writeFrames(path: string, frames: Iterable<HarnessFrame>): Promise<void> {
  const writer = await createCaptureWriter(path, { format: 'pcap', timePrecision: 'ns', userAppl: 'zctrace tests' });
  for (const frame of frames) await writer.write(tracePacketOf(frame));
  await writer.close();
}

/** Findings of one rule. */
export function ofRule(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

/** "rule severity" for each finding, sorted: a compact picture for assertion messages. */
export function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.severity}: ${f.title}`).sort();
}
