/** An accessible on/off switch. */
export function Switch({ on, label, onChange, disabled }: { on: boolean; label: string; onChange: (on: boolean) => void; disabled?: boolean }) {
  return (
    <button type="button" role="switch" aria-checked={on} aria-label={label} className={`switch ${on ? 'on' : 'off'}`} disabled={disabled} onClick={() => onChange(!on)}>
      <span className="knob" />
      <span className="switch-text">{on ? 'On' : 'Off'}</span>
    </button>
  );
}
