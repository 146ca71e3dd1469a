/** Learning mode (issue 18 part 1): its state and the profile change it proposes. */
import type { SimulationResult } from './api.js';

/** An agent's learning switch and its last learning period. */
export interface LearnState {
  agent: string;
  /** True while the agent is learning. */
  on: boolean;
  /** ISO time learning was turned on (null: no period kept, e.g. after accept or discard). */
  since: string | null;
  /** ISO time it was turned off (null while learning). */
  until: string | null;
}

/** One rule the proposal adds. */
export interface ProposedRule {
  /** The rule as it is written into the profile (`allow net *.example.co.uk`). */
  rule: string;
  /** What it was made from (`a.example.co.uk:443, b.example.co.uk:443`). */
  from: string[];
  /** True when the agent was denied these while learning: allow only if you expect it. */
  denied: boolean;
}

/** What the learner saw but does not propose, and why. */
export interface NotProposed {
  target: string;
  why: string;
}

/** The profile change learned from an agent's learning period. */
export interface LearnProposal extends LearnState {
  /** Events of the period that were read. */
  considered: number;
  rules: ProposedRule[];
  notProposed: NotProposed[];
  /** Programs the agent ran (exec is allowed by default: information only), with how often. */
  programs: { program: string; count: number }[];
  /** Paths written outside the workspace that the learner saw (see `unobservable`). */
  writes: string[];
  /** What the learner cannot see, in one paragraph (shown with every proposal). */
  unobservable: string;
  /** The profile now and with the proposal applied; `diff` is the unified diff between them ('' when equal). */
  before: string;
  after: string;
  diff: string;
  /** The simulator over the learned history: current rules vs the proposal. */
  simulation: SimulationResult;
}

/** What accepting a proposal wrote. */
export interface LearnApplied {
  agent: string;
  /** The rules added. */
  rules: string[];
  /** The profile file also updated (the one the agent was imported from), or null. */
  file: string | null;
  /** Why that file was left alone, when it was. */
  note: string | null;
}
