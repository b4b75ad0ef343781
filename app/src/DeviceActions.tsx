/**
 * Transfer and revoke, each one signed transaction behind a confirmation step that says what
 * will happen. Shown to the device's owner only, while the device is active.
 */
import { useState } from 'react';
import { PublicKey } from '@solana/web3.js';
import { useConnection, useWallet } from '@solana/wallet-adapter-react';
import { DEVICE_STATUS_ACTIVE, type IndexedDevice } from '@zkpin/sdk';
import { useApp } from './context.ts';
import { runDeviceAction, type DeviceAction } from './deviceTransactions.ts';
import { message, short } from './format.ts';

type Step =
  | { at: 'idle' }
  | { at: 'confirm'; action: DeviceAction }
  | { at: 'signing'; action: DeviceAction }
  | { at: 'done'; text: string }
  | { at: 'failed'; text: string };

export function DeviceActions({ device, onDone }: { device: IndexedDevice; onDone: () => void }) {
  const { config } = useApp();
  const { connection } = useConnection();
  const wallet = useWallet();
  const [step, setStep] = useState<Step>({ at: 'idle' });
  const [to, setTo] = useState('');
  const owner = wallet.publicKey;
  const canAct =
    owner !== null && owner.toBase58() === device.owner && device.status === DEVICE_STATUS_ACTIVE;
  // After a transfer or revocation the actions are gone, but what happened stays said.
  if (!canAct)
    return step.at === 'done' ? (
      <section className="actions" aria-label="Device actions">
        <p role="status">{step.text}</p>
      </section>
    ) : null;

  const askTransfer = () => {
    let newOwner: PublicKey;
    try {
      newOwner = new PublicKey(to.trim());
    } catch {
      setStep({ at: 'failed', text: `“${to}” is not a Solana address.` });
      return;
    }
    if (newOwner.equals(owner)) {
      setStep({ at: 'failed', text: 'That is the wallet that owns the device already.' });
      return;
    }
    setStep({ at: 'confirm', action: { kind: 'transfer', newOwner } });
  };
  const sign = async (action: DeviceAction) => {
    setStep({ at: 'signing', action });
    try {
      const signature = await runDeviceAction({
        config,
        connection,
        owner,
        device: device.device,
        action,
        sendTransaction: (tx, c) => wallet.sendTransaction(tx, c),
      });
      setStep({
        at: 'done',
        text: `${action.kind === 'transfer' ? 'Transferred' : 'Revoked'}: transaction ${short(signature)} confirmed.`,
      });
      onDone();
    } catch (e) {
      setStep({ at: 'failed', text: message(e) });
    }
  };

  return (
    <section className="actions" aria-label="Device actions">
      <h2>Owner actions</h2>
      {step.at === 'confirm' || step.at === 'signing' ? (
        <div className="confirm" role="dialog" aria-label="Confirm">
          <p>
            {step.action.kind === 'transfer'
              ? `Transfer this device to ${step.action.newOwner.toBase58()}? That wallet will own it and its future records; you will not.`
              : 'Revoke this device? Its readings will no longer be accepted. This cannot be undone.'}{' '}
            Your wallet signs one transaction.
          </p>
          <button
            type="button"
            disabled={step.at === 'signing'}
            onClick={() => void sign(step.action)}
          >
            {step.at === 'signing' ? 'Waiting for the wallet…' : 'Sign and send'}
          </button>{' '}
          <button
            type="button"
            disabled={step.at === 'signing'}
            onClick={() => setStep({ at: 'idle' })}
          >
            Cancel
          </button>
        </div>
      ) : (
        <div className="action-row">
          <label>
            New owner{' '}
            <input
              value={to}
              onChange={(e) => setTo(e.target.value)}
              placeholder="Solana address"
              spellCheck={false}
            />
          </label>{' '}
          <button type="button" onClick={askTransfer} disabled={to.trim() === ''}>
            Transfer…
          </button>{' '}
          <button
            type="button"
            className="danger"
            onClick={() => setStep({ at: 'confirm', action: { kind: 'revoke' } })}
          >
            Revoke…
          </button>
        </div>
      )}
      {step.at === 'done' && <p role="status">{step.text}</p>}
      {step.at === 'failed' && (
        <p role="alert" className="error">
          {step.text}
        </p>
      )}
    </section>
  );
}
