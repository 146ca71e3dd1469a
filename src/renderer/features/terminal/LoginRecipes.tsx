import { useEffect, useState } from 'react';
import type { TerminalRecipe } from '../../../shared/api.js';

/** "Sign this agent in": the login recipes and the per-agent SSH key button. */
export function LoginRecipes({ name, recipes: load, keygen: make }: { name: string; recipes: () => Promise<TerminalRecipe[]>; keygen: (agent: string, force: boolean) => Promise<string> }) {
  const [recipes, setRecipes] = useState<TerminalRecipe[] | null>(null);
  const [key, setKey] = useState<string | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  useEffect(() => {
    load().then(setRecipes, (e: Error) => setMsg(e.message));
  }, [load]);
  const keygen = async (force: boolean): Promise<void> => {
    setMsg(null);
    try {
      setKey(await make(name, force));
    } catch (e) {
      setMsg((e as Error).message);
    }
  };
  const fill = (s: string): string => s.replace(/\bNAME\b/g, name);
  return (
    <aside className="recipes" aria-label="Sign this agent in">
      <h2>Sign {name} in</h2>
      <p className="muted small">Logins made in the terminal land in {name}'s own home, never in yours. A login needs {name}'s network on and the hosts it uses allowed: each recipe lists them as rules.</p>
      <div className="toolbar">
        <button type="button" onClick={() => void keygen(false)}>Make SSH key</button>
        {msg?.includes('--force') && <button type="button" className="ghost" onClick={() => void keygen(true)}>Replace key</button>}
      </div>
      {msg && <p className="error small" role="alert">{msg}</p>}
      {key && (
        <div>
          <p className="small">Public key (register it with the service):</p>
          <pre className="pubkey" data-testid="public-key">{key}</pre>
        </div>
      )}
      {(recipes ?? []).map((r) => (
        <details key={r.id}>
          <summary>{r.label}</summary>
          <pre>{r.commands.map((c) => `$ ${fill(c)}`).join('\n')}</pre>
          <p className="small">Rules: {r.rules.map((x) => <code key={x}>{x}; </code>)}</p>
          <p className="small muted">{fill(r.notes)}</p>
        </details>
      ))}
    </aside>
  );
}
