import { createContext } from '@lit/context';
import type { DashboardClient } from './types.ts';

/**
 * The context that hands a {@link DashboardClient} down the tree: `<ctd-token-discovery>` provides
 * it, and the elements and {@link TokenDiscoveryController} under it consume it. Keyed by a global
 * symbol, so two copies of this package on one page still meet.
 *
 * @example
 * new ContextProvider(this, { context: tokenDiscoveryClientContext, initialValue: client });
 */
export const tokenDiscoveryClientContext = createContext<DashboardClient | undefined>(
  Symbol.for('ctd-token-discovery-client'),
);
