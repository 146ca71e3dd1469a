/**
 * A fake OpenAI Responses API on the host's loopback, enough for `codex exec`: the first turn gets
 * a streamed (SSE) `function_call` of Codex's `exec_command` tool with `cmd`; the turn carrying
 * its `function_call_output` gets a final assistant message. Every request path is kept.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenAI {
  port: number;
  paths: string[];
  /** The function_call_output texts the model was sent back, in order. */
  outputs: string[];
  close: () => Promise<void>;
}

type Item = { type?: string; call_id?: string; output?: unknown };

function sse(res: ServerResponse, id: string, items: Record<string, unknown>[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (type: string, data: Record<string, unknown>): boolean => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send('response.created', { response: { id } });
  items.forEach((item, i) => {
    send('response.output_item.added', { output_index: i, item });
    send('response.output_item.done', { output_index: i, item });
  });
  const usage = { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 };
  send('response.completed', { response: { id, usage } });
  res.end();
}

const outputText = (o: unknown): string =>
  typeof o === 'string' ? o : Array.isArray(o) ? o.map((c: { text?: string }) => c.text ?? '').join('') : JSON.stringify(o);

export function startFakeOpenAI(cmd: string, final = 'FINAL-ANSWER: done'): Promise<FakeOpenAI> {
  const paths: string[] = [];
  const outputs: string[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url}`);
      if (req.method !== 'POST' || !req.url?.endsWith('/responses')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'fake: not here', type: 'invalid_request_error' } }));
        return;
      }
      let body: { input?: Item[] } = {};
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        /* answered as a first turn */
      }
      const results = (body.input ?? []).filter((i) => i.type === 'function_call_output');
      if (results.length > 0) {
        for (const r of results) outputs.push(outputText(r.output));
        sse(res, 'resp_final', [{ type: 'message', id: 'msg_final', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: final, annotations: [] }] }]);
      } else {
        sse(res, 'resp_tool', [{ type: 'function_call', id: 'fc_1', call_id: 'call_fake_1', name: 'exec_command', arguments: JSON.stringify({ cmd }), status: 'completed' }]);
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        paths,
        outputs,
        close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
      }),
    ),
  );
}
