/**
 * OpenTelemetry traces as OTLP/JSON (one ExportTraceServiceRequest) or as the
 * File Exporter's JSON Lines (one request a line). Each span is an event; the
 * gen_ai.* attributes name the agent, model and tool. Traces carry no chain.
 */
import { LexNumber, LexObject, type LexValue } from '../../../shared/json/lexeme-json';
import { compactJson, text } from '../../../shared/formats/agt/case-events';
import { finding, FindingCollector } from '../../../shared/verify/findings';
import type { FormatReader } from './reader';
import { forEachItem, noChainVerification } from './no-chain';

/** An OTLP AnyValue as plain text. */
function anyValue(v: LexValue | undefined): string {
  if (!(v instanceof LexObject)) return text(v);
  for (const [k, x] of v.members) {
    if (k === 'arrayValue' && x instanceof LexObject) {
      const values = x.get('values');
      return Array.isArray(values) ? values.map(anyValue).join(', ') : '';
    }
    if (k === 'kvlistValue') return compactJson(x);
    return text(x);
  }
  return '';
}

function attributes(list: LexValue | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(list)) return out;
  for (const a of list) if (a instanceof LexObject && typeof a.get('key') === 'string') out.set(a.get('key') as string, anyValue(a.get('value')));
  return out;
}

function nanosToIso(v: LexValue | undefined): string {
  const s = v instanceof LexNumber ? v.lexeme : typeof v === 'string' ? v : '';
  if (!/^\d+$/.test(s)) return '';
  const ms = BigInt(s) / 1_000_000n;
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

const KIND_OF_OPERATION: Record<string, string> = {
  invoke_agent: 'agent.invoked',
  create_agent: 'agent.created',
  invoke_workflow: 'agent.invoked',
  chat: 'model.called',
  text_completion: 'model.called',
  generate_content: 'model.called',
  embeddings: 'model.called',
  execute_tool: 'action.executed',
};

function objects(v: LexValue | undefined): LexObject[] {
  return Array.isArray(v) ? v.filter((x): x is LexObject => x instanceof LexObject) : [];
}

export const otlpTraceReader: FormatReader = {
  id: 'otlp-trace',
  describe: 'OpenTelemetry traces: OTLP/JSON or File Exporter JSON Lines, gen_ai.* spans (no chain)',
  detect(head) {
    // One OTLP/JSON request (the document; for the File Exporter's JSON Lines, the first line), or an array of them.
    const first = Array.isArray(head.document) ? head.document[0] : head.document;
    if (!(first instanceof LexObject) || !Array.isArray(first.get('resourceSpans'))) return null;
    const genAi = objects(first.get('resourceSpans')).some((rs) =>
      objects(rs.get('scopeSpans') ?? rs.get('instrumentationLibrarySpans')).some((ss) =>
        objects(ss.get('spans')).some((span) => [...attributes(span.get('attributes')).keys()].some((k) => k.startsWith('gen_ai.'))),
      ),
    );
    return { score: 90, reason: `OTLP/JSON with resourceSpans${genAi ? ' and gen_ai.* attributes' : ''}, as OpenTelemetry exporters write traces` };
  },
  async verify(o) {
    const findings = new FindingCollector();
    const unauth = new Set<string>();
    let spans = 0;
    const agents = new Set<string>();
    const models = new Set<string>();
    const tools = new Set<string>();
    const r = await forEachItem(o.path, o.signal, 'trace request', ({ value, index, line, lineOf }) => {
      if (!(value instanceof LexObject) || !Array.isArray(value.get('resourceSpans'))) {
        findings.push(finding('malformed-line', index, line, `Item ${index} is not an OTLP trace export (it has no resourceSpans).`));
        return;
      }
      for (const rs of objects(value.get('resourceSpans'))) {
        const resource = rs.get('resource');
        const resAttrs = attributes(resource instanceof LexObject ? resource.get('attributes') : undefined);
        const service = resAttrs.get('service.name') ?? '';
        for (const ss of objects(rs.get('scopeSpans') ?? rs.get('instrumentationLibrarySpans'))) {
          for (const span of objects(ss.get('spans'))) {
            const i = spans++;
            for (const k of span.keys()) unauth.add(k);
            const attrs = attributes(span.get('attributes'));
            const op = attrs.get('gen_ai.operation.name') ?? '';
            const agent = attrs.get('gen_ai.agent.name') ?? attrs.get('gen_ai.agent.id') ?? '';
            const model = attrs.get('gen_ai.request.model') ?? attrs.get('gen_ai.response.model') ?? '';
            const tool = attrs.get('gen_ai.tool.name') ?? '';
            if (agent) agents.add(agent);
            if (model) models.add(model);
            if (tool) tools.add(tool);
            const status = span.get('status');
            const code = status instanceof LexObject ? text(status.get('code')) : '';
            const failed = code === '2' || code === 'STATUS_CODE_ERROR';
            const tokensIn = attrs.get('gen_ai.usage.input_tokens');
            const tokensOut = attrs.get('gen_ai.usage.output_tokens');
            const parts = [
              text(span.get('name')) || op || 'span',
              agent && `agent ${agent}`,
              model && `model ${model}`,
              tool && `tool ${tool}`,
              tokensIn || tokensOut ? `tokens ${tokensIn ?? '?'} in / ${tokensOut ?? '?'} out` : '',
              failed ? `error${status instanceof LexObject && status.get('message') ? `: ${text(status.get('message'))}` : ''}` : '',
              `trace ${text(span.get('traceId'))} span ${text(span.get('spanId'))}`,
            ].filter(Boolean);
            o.onEvent?.({
              index: i,
              seq: i,
              line: lineOf ? lineOf(span.start) : line,
              ts: nanosToIso(span.get('startTimeUnixNano')),
              kind: KIND_OF_OPERATION[op] ?? (op || 'span'),
              actorType: agent ? 'agent' : 'system',
              actorId: agent || service || 'unknown',
              outcome: null,
              summary: parts.join('; '),
              raw: compactJson(span),
              canonical: null,
              recordedHash: null,
              computedHash: null,
              prevHash: null,
              unauthenticated: span.keys(),
            });
          }
        }
      }
    });
    return noChainVerification({
      format: this.id,
      formatReason: o.formatReason,
      findings: r.findings.add(findings),
      events: spans,
      malformed: r.items > 0 && r.readable === 0,
      what: 'OpenTelemetry traces',
      noun: 'span',
      unauthenticated: unauth,
      details: {
        layout: r.mode === 'lines' ? 'File Exporter JSON Lines' : 'OTLP/JSON document',
        agents: [...agents].sort(),
        models: [...models].sort(),
        tools: [...tools].sort(),
        replayable: false,
        notReplayableReason: 'Traces record what an agent did, not a policy decision with its inputs, so there is nothing to re-evaluate.',
      },
    });
  },
};
