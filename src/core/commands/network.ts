import type { Engine } from '../engine.js';

/** The network verbs: one agent's saved switch, and the global, unsaved "all agents offline". */
export function networkVerbs(engine: Engine) {
  return {
    /**
     * Flips the agent's saved network switch (its profile's `network:`), live for a running agent.
     * `live` is false when a run started offline must restart to get the network.
     */
    setNetwork(name: string, on: boolean): { live: boolean } {
      const r = engine.setNetwork(name, on);
      engine.bus.emit('runs');
      return r;
    },
    /**
     * "All agents offline": every agent's new connections are refused and open tunnels cut. Unsaved
     * and separate from each agent's own switch, so turning it off gives every agent back its network.
     */
    setAllOffline(offline: boolean): void {
      engine.setAllOffline(offline);
      engine.bus.emit('runs');
    },
    allOffline: (): boolean => engine.egress.allOffline,
  };
}
