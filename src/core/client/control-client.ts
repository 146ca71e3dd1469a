import { connect, type Socket } from 'node:net';
import type { ControlMethod, ControlParams, ControlResult } from '../../shared/control.js';
import { PaddockError, type ErrorCode } from '../../shared/errors.js';
import { lineReader, type HostMessage } from './wire.js';

/** A connection to a running host's control socket. Results are typed from the API map (src/shared/control.ts). */
export interface ControlClient {
  call<M extends ControlMethod>(method: M, params: ControlParams<M>): Promise<ControlResult<M>>;
  /** Starts a streaming request; `onMessage` gets every message for it. Returns the request id. */
  stream<M extends 'run' | 'shell'>(method: M, params: ControlParams<M>, onMessage: (msg: HostMessage) => void): number;
  send(msg: object): void;
  socket: Socket;
  close(): void;
}

/** Connects to the host, or returns null when no host is listening (no socket, or a dead one). */
export async function connectControl(socketPath: string): Promise<ControlClient | null> {
  const sock = await new Promise<Socket | null>((resolve) => {
    const s = connect(socketPath);
    s.once('connect', () => resolve(s));
    s.once('error', () => resolve(null));
  });
  if (!sock) return null;
  let nextId = 1;
  const waiting = new Map<number, (msg: HostMessage) => void>();
  sock.on(
    'data',
    lineReader(
      (line) => {
        let msg: HostMessage;
        try {
          msg = JSON.parse(line) as HostMessage;
        } catch {
          return;
        }
        waiting.get(msg.id)?.(msg);
      },
      () => sock.destroy(),
    ),
  );
  const lost = new PaddockError('E_NO_HOST', 'the Paddock host closed the connection (it stopped or crashed)');
  sock.on('close', () => {
    for (const cb of waiting.values()) cb({ id: -1, ok: false, error: { code: lost.code, message: lost.message } });
    waiting.clear();
  });
  sock.on('error', () => undefined);
  const send = (msg: object): void => void sock.write(`${JSON.stringify(msg)}\n`);
  return {
    socket: sock,
    send,
    call<M extends ControlMethod>(method: M, params: ControlParams<M>): Promise<ControlResult<M>> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, (msg) => {
          waiting.delete(id);
          // The host checked the value against the map's schema and result type before sending it.
          if ('ok' in msg && msg.ok) resolve(msg.value as ControlResult<M>);
          else if ('ok' in msg) reject(new PaddockError(msg.error.code as ErrorCode, msg.error.message));
        });
        send({ id, method, params });
      });
    },
    stream(method, params, onMessage) {
      const id = nextId++;
      waiting.set(id, onMessage);
      send({ id, method, params });
      return id;
    },
    close: () => {
      // A close of ours is no loss of the host: pending streams are not told "the host closed the connection".
      waiting.clear();
      sock.end();
    },
  };
}
