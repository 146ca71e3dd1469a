/** The application frame. The agents list, approvals inbox and activity views land here next. */
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: '2rem' }}>
      <h1>Paddock</h1>
      <p>A dedicated, contained machine for each of your AI agents.</p>
    </main>
  );
}
