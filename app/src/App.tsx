/**
 * The owner app: a wallet (Wallet Standard wallets the browser has, and on a local cluster a
 * clearly labelled development wallet), the owner's devices, a device's records, and
 * "Verify" on any record. Pages by URL hash: `#/` my devices, `#/add` add a device from its
 * onboarding bundle, `#/device/<key>` one device, `#/maker` makers approve device keys.
 */
import { useMemo, useSyncExternalStore } from 'react';
import {
  type WalletError,
  WalletSendTransactionError,
  WalletSignMessageError,
  WalletSignTransactionError,
} from '@solana/wallet-adapter-base';
import { ConnectionProvider, WalletProvider } from '@solana/wallet-adapter-react';
import { UnsafeBurnerWalletAdapter } from '@solana/wallet-adapter-unsafe-burner';
import { IndexerClient } from '@zkpin/sdk';
import type { AppConfig } from './config.ts';
import { AppContext } from './context.ts';
import { DevicePage } from './DevicePage.tsx';
import { MakerApprove } from './MakerApprove.tsx';
import { MyDevices } from './MyDevices.tsx';
import { Onboard } from './Onboard.tsx';
import { WalletBar } from './WalletBar.tsx';

function subscribeHash(fn: () => void): () => void {
  window.addEventListener('hashchange', fn);
  return () => window.removeEventListener('hashchange', fn);
}

function useRoute(): { page: 'devices' | 'add' | 'maker' } | { page: 'device'; device: string } {
  const hash = useSyncExternalStore(subscribeHash, () => window.location.hash);
  if (hash === '#/add') return { page: 'add' };
  if (hash === '#/maker') return { page: 'maker' };
  const m = /^#\/device\/([1-9A-HJ-NP-Za-km-z]{32,44})$/.exec(hash);
  return m ? { page: 'device', device: m[1]! } : { page: 'devices' };
}

/**
 * The wallet adapter's errors. A send or sign refused (or stale, and rebuilt) rejects the
 * caller's promise, and the caller says it in words on the page (`signAndConfirm`, the maker's
 * approvals): not logged twice. Others (a failed auto-connect) are logged as the adapter does.
 */
function onWalletError(error: WalletError): void {
  if (
    error instanceof WalletSendTransactionError ||
    error instanceof WalletSignTransactionError ||
    error instanceof WalletSignMessageError
  )
    return;
  console.error(error);
}

export function App({ config }: { config: AppConfig }) {
  const wallets = useMemo(
    () => (config.localCluster ? [new UnsafeBurnerWalletAdapter()] : []),
    [config.localCluster],
  );
  const indexer = useMemo(() => new IndexerClient(config.indexerUrl), [config.indexerUrl]);
  const route = useRoute();
  return (
    <ConnectionProvider
      endpoint={config.rpcUrl}
      config={{ commitment: 'confirmed', wsEndpoint: config.wsUrl }}
    >
      <WalletProvider wallets={wallets} autoConnect onError={onWalletError}>
        <AppContext.Provider value={{ config, indexer }}>
          <header className="top">
            <a className="brand" href="#/">
              zkpin
            </a>
            <span className="cluster" title={config.manifest.cluster.rpcUrl}>
              {config.manifest.cluster.name}
            </span>
            <WalletBar />
          </header>
          <main className="page">
            {route.page === 'device' ? (
              <DevicePage device={route.device} />
            ) : route.page === 'add' ? (
              <Onboard />
            ) : route.page === 'maker' ? (
              <MakerApprove />
            ) : (
              <MyDevices />
            )}
          </main>
          <footer className="foot">
            <a href="#/maker">Makers: approve device keys</a>
          </footer>
        </AppContext.Provider>
      </WalletProvider>
    </ConnectionProvider>
  );
}
