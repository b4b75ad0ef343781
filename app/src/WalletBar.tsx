/**
 * Connect / disconnect. Lists the wallets the browser has (Wallet Standard discovery:
 * Phantom, Solflare, Backpack, … appear when installed) and, on a local cluster only, the
 * development wallet, labelled as what it is. Errors are said in words.
 */
import { useState } from 'react';
import { useWallet } from '@solana/wallet-adapter-react';
import { WalletReadyState, type WalletName } from '@solana/wallet-adapter-base';
import { UnsafeBurnerWalletName } from '@solana/wallet-adapter-unsafe-burner';
import { short } from './format.ts';

export function WalletBar() {
  const w = useWallet();
  const { wallets, wallet, publicKey, connecting } = w;
  const [error, setError] = useState<string | null>(null);
  const usable = wallets.filter(
    (u) =>
      u.readyState === WalletReadyState.Installed || u.readyState === WalletReadyState.Loadable,
  );
  const choose = async (name: WalletName) => {
    setError(null);
    try {
      w.select(name);
      if (wallet?.adapter.name === name) await w.connect();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  if (publicKey)
    return (
      <div className="wallet">
        <span className="who" title={publicKey.toBase58()}>
          {wallet?.adapter.name === UnsafeBurnerWalletName ? 'Development wallet ' : ''}
          {short(publicKey.toBase58())}
        </span>
        <button type="button" onClick={() => void w.disconnect()}>
          Disconnect
        </button>
      </div>
    );
  return (
    <div className="wallet">
      {usable.length === 0 && (
        <span className="hint">No wallet found: install Phantom, Solflare or Backpack.</span>
      )}
      {usable.map((u) => (
        <button
          key={u.adapter.name}
          type="button"
          disabled={connecting}
          onClick={() => void choose(u.adapter.name)}
          className={u.adapter.name === UnsafeBurnerWalletName ? 'dev-wallet' : undefined}
        >
          {u.adapter.name === UnsafeBurnerWalletName
            ? 'Connect local development wallet (unsafe, local cluster only)'
            : `Connect ${u.adapter.name}`}
        </button>
      ))}
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </div>
  );
}
