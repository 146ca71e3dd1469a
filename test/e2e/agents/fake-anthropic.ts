/**
 * A fake Anthropic Messages API on the host's loopback, enough for Claude Code's `-p` mode: the
 * first turn that offers the Bash tool gets a streamed (SSE) `tool_use` of Bash with `command`;
 * the turn carrying the `tool_result` gets a final text turn. Any other request (a title, a
 * quota probe) gets a short text answer. Every request body is kept for the test to read.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ToolResult {
  content: string;
  isError: boolean;
}

export interface FakeAnthropic {
  port: number;
  /** Paths of every request, in order. */
  paths: string[];
  /** The tool_result blocks the model was sent back, in order. */
  toolResults: ToolResult[];
  close: () => Promise<void>;
}

type Block = { type: string; tool_use_id?: string; content?: unknown; is_error?: boolean; text?: string };
type Msg = { role: string; content: string | Block[] };

const text = (c: unknown): string =>
  typeof c === 'string' ? c : Array.isArray(c) ? c.map((b: Block) => (typeof b === 'string' ? b : (b.text ?? ''))).join('') : '';

function sse(res: ServerResponse, events: [string, Record<string, unknown>][]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': 'req_fake' });
  for (const [event, data] of events) res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  res.end();
}

const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
const start = (id: string, model: string): [string, Record<string, unknown>] => [
  'message_start',
  { message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage } },
];

function textTurn(res: ServerResponse, model: string, stream: boolean, body: string): void {
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'msg_text', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: body }], stop_reason: 'end_turn', stop_sequence: null, usage }));
    return;
  }
  sse(res, [
    start('msg_text', model),
    ['content_block_start', { index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { index: 0, delta: { type: 'text_delta', text: body } }],
    ['content_block_stop', { index: 0 }],
    ['message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } }],
    ['message_stop', {}],
  ]);
}

function toolTurn(res: ServerResponse, model: string, command: string): void {
  const input = JSON.stringify({ command, description: 'Run the test command' });
  const half = Math.floor(input.length / 2);
  sse(res, [
    start('msg_tool', model),
    ['content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_fake_1', name: 'Bash', input: {} } }],
    ['content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: input.slice(0, half) } }],
    ['content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: input.slice(half) } }],
    ['content_block_stop', { index: 0 }],
    ['message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 20 } }],
    ['message_stop', {}],
  ]);
}

/** Starts the server on 127.0.0.1; `command` is what the model asks Bash to run. */
export function startFakeAnthropic(command: string, final = 'FINAL-ANSWER: done'): Promise<FakeAnthropic> {
  const paths: string[] = [];
  const toolResults: ToolResult[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url}`);
      if (!req.url?.startsWith('/v1/messages') || req.method !== 'POST') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'fake: not here' } }));
        return;
      }
      if (req.url.startsWith('/v1/messages/count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ input_tokens: 10 }));
        return;
      }
      let body: { model?: string; stream?: boolean; tools?: { name: string }[]; messages?: Msg[] } = {};
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        /* an empty body answers as text */
      }
      const model = body.model ?? 'claude-fake';
      const last = body.messages?.at(-1);
      const results = Array.isArray(last?.content) ? last.content.filter((b) => b.type === 'tool_result') : [];
      if (results.length > 0) {
        for (const r of results) toolResults.push({ content: text(r.content), isError: r.is_error === true });
        textTurn(res, model, body.stream === true, final);
      } else if (body.tools?.some((t) => t.name === 'Bash')) {
        toolTurn(res, model, command);
      } else {
        textTurn(res, model, body.stream === true, 'ok');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        paths,
        toolResults,
        close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
      }),
    ),
  );
}
