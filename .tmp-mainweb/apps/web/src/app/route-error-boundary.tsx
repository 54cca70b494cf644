import { Component, type ReactNode } from 'react';
import { RouteErrorPage } from './simple-pages';

/** A page that throws while rendering (or whose code cannot be fetched) shows an apology, not a blank tab. */
export class RouteErrorBoundary extends Component<{ children: ReactNode }, { hasFailed: boolean }> {
  override state = { hasFailed: false };

  static getDerivedStateFromError(): { hasFailed: boolean } {
    return { hasFailed: true };
  }

  override render() {
    return this.state.hasFailed ? <RouteErrorPage /> : this.props.children;
  }
}
