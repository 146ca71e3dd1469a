import type { Command } from '../command.js';
import { approvalsCommand, approveCommand, denyCommand } from './approvals.js';
import { checkCommand } from './check.js';
import { killCommand, netCommand, pauseCommand, psCommand, resumeCommand, stopCommand } from './control.js';
import { doctorCommand } from './doctor.js';
import { eventsCommand, logCommand } from './events.js';
import { keygenCommand } from './keygen.js';
import { quarantineCommand } from './quarantine.js';
import { runCommand } from './run.js';
import { secretCommand } from './secret.js';
import { serveCommand } from './serve.js';
import { shellCommand } from './shell.js';

/** Every CLI command, in the order `paddock --help` lists them. */
export const COMMANDS: Command[] = [
  checkCommand,
  runCommand,
  psCommand,
  pauseCommand,
  resumeCommand,
  stopCommand,
  killCommand,
  netCommand,
  approvalsCommand,
  approveCommand,
  denyCommand,
  eventsCommand,
  logCommand,
  quarantineCommand,
  secretCommand,
  doctorCommand,
  serveCommand,
  shellCommand,
  keygenCommand,
];
