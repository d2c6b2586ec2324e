/**
 * AT-TLS in the trace (analysis.md §4, exception-catalog Z-11): records the stack marked confidential
 * (PTH_Flag CfTxt: AT-TLS protected data withheld from the trace) and records carrying AT-TLS protected
 * data in clear text (the policy's CtraceClearText): the first tell the analyst why payload is missing,
 * the second that the trace data set itself holds secrets and must be handled as such.
 */
import { type AnalyzedPacket, type PacketAnalyzer, datagramOf } from '../analyzed-packet.js';
import type { Finding } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { FindingGroups } from '../finding-groups.js';
import { destinationText, endpointText, sourceText } from '../address.js';

/** PTH_Flag bit names from the layout profile. */
const CONFIDENTIAL = 'confidential';
const CLEAR_TEXT = 'clear-text';

const WORDING = {
  confidential: {
    rule: 'zos.attls_confidential',
    severity: 'note',
    title: 'AT-TLS data withheld as confidential',
    explanation: 'The stack marked these records confidential (CfTxt): the data is AT-TLS protected and was not written to the trace. Payload decodes are not possible for these connections; that is by design.',
  },
  clearText: {
    rule: 'zos.attls_clear_text',
    severity: 'warning',
    title: 'AT-TLS protected data in clear text',
    explanation: 'These records hold AT-TLS protected application data in clear text (the AT-TLS policy sets CtraceClearText): the trace data set and every file made from it contain data meant to be encrypted. Handle them as sensitive and switch CtraceClearText off when the diagnosis is done.',
  },
} as const;

export class AtTlsAnalyzer implements PacketAnalyzer {
  readonly name = 'at-tls';
  private readonly groups: FindingGroups;

  constructor(thresholds: Thresholds) {
    this.groups = new FindingGroups(thresholds.maxFindingGroups);
  }

  observe(p: AnalyzedPacket): void {
    const names = p.packet.ctrace?.flagNames;
    if (names === undefined || names.length === 0) return;
    if (names.includes(CONFIDENTIAL)) this.note(p, 'confidential');
    if (names.includes(CLEAR_TEXT)) this.note(p, 'clearText');
  }

  private note(p: AnalyzedPacket, kind: keyof typeof WORDING): void {
    const wording = WORDING[kind];
    const d = datagramOf(p);
    const job = p.packet.ctrace?.extra['job'];
    const connection = d === null ? null : `${endpointText(sourceText(d), d.sourcePort)} → ${endpointText(destinationText(d), d.destinationPort)}`;
    const subject = typeof job === 'string' ? `job ${job}` : (connection ?? p.packet.interface.name);
    const group = this.groups.get(`${kind}|${subject}`, () => ({
      rule: wording.rule,
      category: 'zos',
      severity: wording.severity,
      title: `${wording.title}: ${subject}`,
      explanation: wording.explanation,
      subject: connection === null ? { interface: p.packet.interface.name } : { connection },
    }));
    group.add(p, wording.title);
    if (connection !== null) group.listDetail('connections', connection);
  }

  finish(): Finding[] {
    return this.groups.findings();
  }
}
