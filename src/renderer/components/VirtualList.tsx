import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  /** Renders row `index` (0 = first shown). */
  row: (item: T, index: number, selected: boolean) => ReactNode;
  label: string;
  /** Extra rows rendered above and below the viewport. */
  overscan?: number;
  className?: string;
  onActivate?: (item: T) => void;
}

/**
 * A windowed list: only the rows in view (plus a few) are in the DOM, so 100 000 rows scroll
 * as smoothly as 100. Arrow keys, Page Up/Down, Home/End move the selection.
 */
export function VirtualList<T>({ items, rowHeight, row, label, overscan = 8, className, onActivate }: VirtualListProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const [selected, setSelected] = useState(-1);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);
  const onScroll = useCallback(() => {
    if (ref.current) setScrollTop(ref.current.scrollTop);
  }, []);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const move = (to: number): void => {
    const i = Math.max(0, Math.min(items.length - 1, to));
    setSelected(i);
    const el = ref.current;
    if (!el) return;
    if (i * rowHeight < el.scrollTop) el.scrollTop = i * rowHeight;
    else if ((i + 1) * rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = (i + 1) * rowHeight - el.clientHeight;
  };
  const page = Math.max(1, Math.floor(height / rowHeight) - 1);
  const onKey = (e: KeyboardEvent): void => {
    const keys: Record<string, number> = { ArrowDown: selected + 1, ArrowUp: selected - 1, PageDown: selected + page, PageUp: selected - page, Home: 0, End: items.length - 1 };
    if (e.key in keys) {
      e.preventDefault();
      move(keys[e.key]!);
    } else if (e.key === 'Enter' && onActivate && items[selected] !== undefined) onActivate(items[selected]!);
  };
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} role="row" aria-rowindex={i + 1} aria-selected={i === selected} className={`vrow${i === selected ? ' selected' : ''}`} style={{ top: i * rowHeight, height: rowHeight }} onClick={() => setSelected(i)}>
        {row(items[i]!, i, i === selected)}
      </div>,
    );
  }
  return (
    <div ref={ref} className={`vlist ${className ?? ''}`} role="grid" aria-label={label} aria-rowcount={items.length} tabIndex={0} onScroll={onScroll} onKeyDown={onKey}>
      <div className="vspacer" style={{ height: items.length * rowHeight }}>
        {rows}
      </div>
      {items.length === 0 && <p className="empty">Nothing here yet.</p>}
    </div>
  );
}
