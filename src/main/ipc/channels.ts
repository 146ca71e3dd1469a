import type { ApiEvent, Channel, TerminalChannel } from '../../shared/api.js';

/**
 * The channel names of the API map, as plain strings: the sandboxed preload cannot load zod, so
 * it gets this list instead of the map. The type checks below fail the build if the two drift.
 */
export const CHANNELS = [
  'agents:list', 'agents:get', 'agents:save', 'agents:delete', 'agents:check', 'agents:installHook',
  'runs:list', 'runs:start', 'runs:pause', 'runs:resume', 'runs:stop', 'runs:kill', 'runs:killAll', 'runs:logs', 'runs:recordings', 'runs:replay',
  'net:set', 'net:setAllOffline',
  'activity:query', 'activity:verify',
  'approvals:list', 'approvals:answer',
  'vault:list', 'vault:setSecret', 'vault:removeSecret', 'vault:status', 'vault:unlock', 'vault:declare',
  'decoys:list', 'decoys:set',
  'learn:get', 'learn:set', 'learn:suggest', 'learn:apply', 'learn:discard',
  'answers:list', 'answers:revoke',
  'rules:check', 'rules:simulate', 'folders:diff', 'folders:export',
  'quarantine:list', 'quarantine:restore',
  'system:doctor', 'system:info',
] as const satisfies readonly Channel[];

type Missing = Exclude<Channel, (typeof CHANNELS)[number]>;
/** Compile-time: every channel of the map is listed (a missing one makes this `false`). */
export const CHANNELS_COMPLETE: [Missing] extends [never] ? true : false = true;

/** The one IPC channel that carries engine events to the window. */
export const EVENT_CHANNEL = 'paddock:event';

/** An event pushed to the window. */
export interface EventMessage {
  event: ApiEvent;
  payload: unknown;
}

/** The desktop terminal's channel names (same drift check as {@link CHANNELS}). */
export const TERMINAL_CHANNELS = ['terminal:open', 'terminal:attach', 'terminal:detach', 'terminal:sessions', 'terminal:input', 'terminal:resize', 'terminal:close', 'terminal:recipes', 'terminal:keygen'] as const satisfies readonly TerminalChannel[];

type MissingTerminal = Exclude<TerminalChannel, (typeof TERMINAL_CHANNELS)[number]>;
/** Compile-time: every terminal channel is listed. */
export const TERMINAL_CHANNELS_COMPLETE: [MissingTerminal] extends [never] ? true : false = true;

/** The IPC channel that pushes terminal output and ends (a `TerminalPush`) to the window that opened the session. */
export const TERMINAL_PUSH_CHANNEL = 'paddock:terminal';
