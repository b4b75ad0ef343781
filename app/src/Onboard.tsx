/**
 * Add a device: the owner brings the device's onboarding bundle (its QR code scanned with the
 * camera, pasted, or a file dropped or chosen), sees what will be registered and what it
 * costs, signs one transaction, and is taken to the device's page. The bundle is checked in
 * the browser first (both signatures, expiry, network, that the device named this wallet),
 * then the transaction is simulated and priced (getFeeForMessage) before the wallet is asked,
 * and every refusal says what to do.
 */
import { useEffect, useState } from 'react';
import { useConnection, useWallet } from '@solana/wallet-adapter-react';
import { LAMPORTS_PER_SOL } from '@solana/web3.js';
import { checkOnboardingBundle, type CheckedBundle } from '@zkpin/sdk';
import { useApp } from './context.ts';
import { previewRegister, registerFromBundle, type RegisterPreview } from './deviceTransactions.ts';
import { message } from './format.ts';
import { QrScanner } from './QrScanner.tsx';

const sol = (lamports: number) => `${lamports / LAMPORTS_PER_SOL} SOL`;

export function Onboard() {
  const { config } = useApp();
  const { connection } = useConnection();
  const wallet = useWallet();
  const [text, setText] = useState('');
  const [checked, setChecked] = useState<CheckedBundle | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [camera, setCamera] = useState(false);
  const [preview, setPreview] = useState<RegisterPreview | 'pending' | null>(null);
  // Bumped to price the transaction again (after a local airdrop).
  const [priced, setPriced] = useState(0);
  const [airdropping, setAirdropping] = useState(false);

  // Once a bundle checks, the transaction is built, simulated and priced before any signature.
  useEffect(() => {
    setPreview(null);
    if (!checked) return;
    let live = true;
    setPreview('pending');
    previewRegister(config, connection, checked).then(
      (p) => live && setPreview(p),
      (e: unknown) => {
        if (!live) return;
        setPreview(null);
        setProblem(`the registration could not be prepared: ${message(e)}`);
      },
    );
    return () => {
      live = false;
    };
  }, [checked, config, connection, priced]);

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
  // On a local cluster only: SOL from the validator, so the development wallet can pay the fee.
  const airdrop = async () => {
    setAirdropping(true);
    setProblem(null);
    try {
      const signature = await connection.requestAirdrop(owner, LAMPORTS_PER_SOL);
      const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash('confirmed');
      await connection.confirmTransaction(
        { signature, blockhash, lastValidBlockHeight },
        'confirmed',
      );
      setPriced((n) => n + 1);
    } catch (e) {
      setProblem(`the local validator did not airdrop: ${message(e)}`);
    } finally {
      setAirdropping(false);
    }
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
        Scan the QR code the device shows, paste its onboarding bundle, or drop its file here. The
        device must have made it for this wallet ({owner.toBase58()}).
      </p>
      {camera ? (
        <QrScanner
          onText={(t) => {
            setCamera(false);
            check(t);
          }}
          onClose={() => setCamera(false)}
        />
      ) : (
        <p>
          <button type="button" onClick={() => setCamera(true)}>
            Scan the QR code with the camera
          </button>
        </p>
      )}
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
              {preview === 'pending' || preview === null
                ? 'pricing the transaction…'
                : `fee ${preview.feeLamports === null ? 'unknown (asked again when you sign)' : sol(preview.feeLamports)}; no rent (the device becomes a leaf of the network’s device tree); the wallet holds ${sol(preview.balanceLamports)}`}
            </dd>
          </dl>
          {preview !== null && preview !== 'pending' && preview.problem && (
            <p role="alert" className="error">
              It would not register: {preview.problem}
            </p>
          )}
          {config.localCluster &&
            preview !== null &&
            preview !== 'pending' &&
            preview.balanceLamports < LAMPORTS_PER_SOL / 100 && (
              <p>
                <button type="button" disabled={airdropping} onClick={() => void airdrop()}>
                  {airdropping ? 'Airdropping…' : 'Airdrop 1 SOL to this wallet (local cluster)'}
                </button>
              </p>
            )}
          <button
            type="button"
            disabled={busy || preview === null || preview === 'pending' || preview.problem !== null}
            onClick={() => void register()}
          >
            {busy ? 'Waiting for the wallet…' : 'Register (sign one transaction)'}
          </button>
        </div>
      )}
    </section>
  );
}
