export { openTerminal, type OpenTerminalOptions, type TerminalSession } from './session.js';
export { clampSize, defaultShellCommand, ptyWrap, shQuote, type TerminalSize } from './shell-command.js';
export { resizeSessionPty } from './resize.js';
export { installAgentHook, runInSandbox } from './guest-run.js';
export { KEY_EXISTS, keygenResult, keygenScript, makeAgentKey } from './keygen.js';
export { MAX_TERMINAL_SESSIONS, TerminalSessions, type Attachment, type TerminalSessionInfo, type TerminalViewer } from './sessions.js';
export { Scrollback, SCROLLBACK_BYTES } from './scrollback.js';
