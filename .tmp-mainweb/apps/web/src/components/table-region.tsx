import type { ReactNode } from 'react';

/** Wide tables scroll sideways on small screens; the scroll area must be reachable and named for keyboard users. */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
