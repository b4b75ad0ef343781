/**
 * Add a device: the owner brings the device's onboarding bundle (pasted, or a file dropped or
 * chosen), sees what will be registered and what it costs, signs one transaction, and is taken
 * to the device's page. The bundle is checked in the browser first (both signatures, expiry,
 * network, that the device named this wallet), and every refusal says what to do.
 */
import { useState } from 'react';
import { useConnection, useWallet } from '@solana/wallet-adapter-react';
import { LAMPORTS_PER_SOL } from '@solana/web3.js';
import { checkOnboardingBundle, type CheckedBundle } from '@zkpin/sdk';
import { useApp } from './context.ts';
import { registerFromBundle } from './deviceTransactions.ts';
import { message } from './format.ts';

/**
 * The fee: Solana's base fee (5,000 lamports) per signature the transaction carries: the
 * owner's, and the two the Ed25519 precompile checks (device claim, maker approval).
 */
const FEE_SOL = (3 * 5000) / LAMPORTS_PER_SOL;

export function Onboard() {
  const { config } = useApp();
  const { connection } = useConnection();
  const wallet = useWallet();
  const [text, setText] = useState('');
  const [checked, setChecked] = useState<CheckedBundle | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!wallet.publicKey)
    return (
      <section>
        <h1>Add a device</h1>
        <p>Connect the wallet that will own the device first.</p>
      </section>
    );
  const owner = wallet.publicKey;

  const check = (input: string) => {
    setText(input);
    setChecked(null);
    setProblem(null);
    if (input.trim() === '') return;
    try {
      const c = checkOnboardingBundle(input, { network: config.network, owner });
      setChecked(c);
    } catch (e) {
      setProblem(message(e));
    }
  };
  const readFile = (file: File | undefined) => {
    if (file) void file.text().then(check, (e: unknown) => setProblem(message(e)));
  };
  const register = async () => {
    if (!checked) return;
    setBusy(true);
    setProblem(null);
    try {
      await registerFromBundle({
        config,
        connection,
        checked,
        sendTransaction: (tx, c) => wallet.sendTransaction(tx, c),
      });
      window.location.hash = `#/device/${checked.bundle.device}`;
    } catch (e) {
      setProblem(message(e));
    } finally {
      setBusy(false);
    }
  };
  const maker = checked
    ? config.manifest.makers.find((m) => m.address === checked.bundle.maker)
    : undefined;

  return (
    <section>
      <p>
        <a href="#/">← My devices</a>
      </p>
      <h1>Add a device</h1>
      <p>
        Paste the onboarding bundle the device shows, or drop its file here. The device must have
        made it for this wallet ({owner.toBase58()}).
      </p>
      <div
        className="drop"
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          e.preventDefault();
          readFile(e.dataTransfer.files[0]);
        }}
      >
        <label htmlFor="bundle">Onboarding bundle</label>
        <textarea
          id="bundle"
          rows={6}
          value={text}
          spellCheck={false}
          placeholder='{"zkpinOnboarding":1, …}'
          onChange={(e) => check(e.target.value)}
        />
        <label className="file">
          Or choose a file{' '}
          <input
            type="file"
            accept="application/json,.json,.txt"
            onChange={(e) => readFile(e.target.files?.[0])}
          />
        </label>
      </div>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {checked && (
        <div className="summary" aria-label="What will be registered">
          <h2>What will be registered</h2>
          <dl className="facts">
            <dt>Device key</dt>
            <dd className="mono">{checked.bundle.device}</dd>
            <dt>Maker</dt>
            <dd>
              {maker?.name ?? 'a maker not in this deployment’s manifest'}{' '}
              <span className="mono muted">{checked.bundle.maker}</span>
            </dd>
            <dt>Model</dt>
            <dd>{checked.bundle.modelId}</dd>
            <dt>Network</dt>
            <dd className="mono">{checked.bundle.network}</dd>
            <dt>Approval</dt>
            <dd>
              serial {checked.bundle.serial}, valid until{' '}
              {new Date(Number(checked.bundle.expiresAt) * 1000).toLocaleString()}
            </dd>
            <dt>Cost</dt>
            <dd>
              fee {FEE_SOL} SOL; no rent (the device becomes a leaf of the network’s device tree)
            </dd>
          </dl>
          <button type="button" disabled={busy} onClick={() => void register()}>
            {busy ? 'Waiting for the wallet…' : 'Register (sign one transaction)'}
          </button>
        </div>
      )}
    </section>
  );
}
