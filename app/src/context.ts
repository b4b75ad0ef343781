import { createContext, useContext } from 'react';
import type { IndexerClient } from '@zkpin/sdk';
import type { AppConfig } from './config.ts';

export interface AppServices {
  config: AppConfig;
  indexer: IndexerClient;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const v = useContext(AppContext);
  if (!v) throw new Error('useApp outside <App>');
  return v;
}
