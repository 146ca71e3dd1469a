/** Every event kind of PRODUCT.md ("Events — a stable contract"). */
export const EVENT_KINDS = [
  'run.start',
  'run.exit',
  'proc.exec',
  'fs.change',
  'net.allow',
  'net.deny',
  'net.ask',
  /** An allowed connection that failed upstream (DNS, connect): a failure, not a policy decision. */
  'net.error',
  /** The ask gate's decisions (`paddock-ask ACTION`): allowed or denied by a rule, or asked. */
  'action.allow',
  'action.deny',
  'action.ask',
  'secret.use',
  'approval.request',
  'approval.answer',
  'agent.pause',
  'agent.resume',
  'agent.kill',
  /** A polite stop (Stop, `paddock stop`): SIGTERM, a grace period, then SIGKILL; the run.exit follows. */
  'agent.stop',
  'rule.change',
  'alert',
] as const;
