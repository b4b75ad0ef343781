/**
 * Makers approve device keys with their wallet, in bulk: the maker's authority wallet signs
 * one approval message per device (wallet `signMessage`, the bytes `encodeApprovalMessage`
 * defines), each signature is checked here, and the page hands back the approvals as one JSON
 * file, the entries the devices carry until they meet their owners. Serials the chain already
 * shows as used are skipped; the page says which serials it gave, so the next batch starts
 * after them.
 */
import { useEffect, useMemo, useState } from 'react';
import { useConnection, useWallet } from '@solana/wallet-adapter-react';
import { PublicKey } from '@solana/web3.js';
import {
  SERIALS_PER_APPROVAL_PAGE,
  approvalPageOf,
  approvalPagePda,
  checkedApproval,
  deviceApprovalJson,
  encodeApprovalMessage,
  isApprovalUsed,
  parseProvisioningRequests,
  type DeviceApprovalJson,
} from '@zkpin/sdk';
import { useApp } from './context.ts';
import { message, short } from './format.ts';

/** At most this many devices in one batch (each is one wallet signature). */
const MAX_BATCH = 500;
const MAX_SERIAL = 0xffff_ffff;

/** `count` serials from `first` on that the chain does not show as used (reads whole pages). */
async function freeSerials(
  read: (pages: PublicKey[]) => Promise<(Uint8Array | null)[]>,
  maker: PublicKey,
  programId: PublicKey,
  first: number,
  count: number,
): Promise<number[]> {
  const out: number[] = [];
  for (let page = approvalPageOf(first); out.length < count; page++) {
    if (page * SERIALS_PER_APPROVAL_PAGE > MAX_SERIAL)
      throw new Error('no free serial left after the first serial given');
    const [data] = await read([approvalPagePda(maker, page, programId)]);
    const start = Math.max(first, page * SERIALS_PER_APPROVAL_PAGE);
    for (let s = start; s < (page + 1) * SERIALS_PER_APPROVAL_PAGE && out.length < count; s++)
      if (s <= MAX_SERIAL && !(data && isApprovalUsed(data, s))) out.push(s);
  }
  return out;
}

export function MakerApprove() {
  const { config } = useApp();
  const { connection } = useConnection();
  const wallet = useWallet();
  const [text, setText] = useState('');
  const [modelId, setModelId] = useState(config.manifest.models[0]?.id ?? 0);
  const [firstSerial, setFirstSerial] = useState('0');
  const [days, setDays] = useState('30');
  const [progress, setProgress] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [approvals, setApprovals] = useState<DeviceApprovalJson[] | null>(null);
  const parsed = useMemo(() => parseProvisioningRequests(text), [text]);
  // The approvals as a file to download: one object URL per batch, released with it.
  const [file, setFile] = useState<string | null>(null);
  useEffect(() => {
    if (!approvals) return setFile(null);
    const url = URL.createObjectURL(
      new Blob([JSON.stringify(approvals, null, 1) + '\n'], { type: 'application/json' }),
    );
    setFile(url);
    return () => URL.revokeObjectURL(url);
  }, [approvals]);

  const me = wallet.publicKey;
  const makers = me ? config.manifest.makers.filter((m) => m.authority === me.toBase58()) : [];
  const [makerAddress, setMakerAddress] = useState<string | null>(null);
  const maker = makers.find((m) => m.address === makerAddress) ?? makers[0];

  const header = (
    <>
      <p>
        <a href="#/">← My devices</a>
      </p>
      <h1>Approve devices</h1>
    </>
  );
  if (!me)
    return (
      <section>
        {header}
        <p>Connect the wallet that is a maker’s authority on this network.</p>
      </section>
    );
  if (!maker)
    return (
      <section>
        {header}
        <p role="alert" className="error">
          The connected wallet ({me.toBase58()}) is not the authority of any maker on this network.
          {config.manifest.makers.length > 0 &&
            ` Its makers: ${config.manifest.makers.map((m) => `${m.name} (authority ${short(m.authority)})`).join(', ')}.`}
        </p>
      </section>
    );
  const signMessage = wallet.signMessage;

  const approve = async () => {
    setProblem(null);
    setApprovals(null);
    const first = Number(firstSerial);
    const validDays = Number(days);
    if (!Number.isInteger(first) || first < 0 || first > MAX_SERIAL)
      return setProblem(`the first serial must be a whole number from 0 to ${MAX_SERIAL}`);
    if (!Number.isFinite(validDays) || validDays <= 0 || validDays > 3650)
      return setProblem('the approvals must be valid for 1 to 3,650 days');
    if (!signMessage)
      return setProblem(
        `${wallet.wallet?.adapter.name ?? 'this wallet'} cannot sign messages: use a wallet that can (Phantom, Solflare, Backpack).`,
      );
    const { requests } = parsed;
    try {
      const makerKey = new PublicKey(maker.address);
      setProgress('Reading which serials are used…');
      const serials = await freeSerials(
        async (keys) =>
          (await connection.getMultipleAccountsInfo(keys, 'confirmed')).map((a) =>
            a ? new Uint8Array(a.data) : null,
          ),
        makerKey,
        config.programIds.deviceRegistry,
        first,
        requests.length,
      );
      const expiresAt = BigInt(Math.floor(Date.now() / 1000) + Math.round(validDays * 86_400));
      const out: DeviceApprovalJson[] = [];
      for (const [i, r] of requests.entries()) {
        setProgress(`Signing approval ${i + 1} of ${requests.length} in the wallet…`);
        const fields = {
          network: config.network.toBytes(),
          maker: makerKey.toBytes(),
          device: r.device.toBytes(),
          bjjKeyHash: r.bjjKeyHash,
          modelId,
          serial: serials[i]!,
          expiresAt,
        };
        const signature = await signMessage(encodeApprovalMessage(fields));
        // A wallet that signed with another key, or other bytes, is caught here.
        out.push(deviceApprovalJson(checkedApproval(fields, me, signature)));
      }
      setApprovals(out);
      setProgress(null);
    } catch (e) {
      setProgress(null);
      setProblem(`nothing was approved: ${message(e)}`);
    }
  };

  const tooMany = parsed.requests.length > MAX_BATCH;
  return (
    <section>
      {header}
      <p>
        Paste your devices’ provisioning requests, one per line: the device key and its BabyJubJub
        key hash (<code>npm run bundle -- --request</code> prints one for a simulated device). Your
        wallet signs one approval per device; the devices carry them until they meet their owners.
      </p>
      <div className="form">
        {makers.length > 1 && (
          <label>
            Maker{' '}
            <select value={maker.address} onChange={(e) => setMakerAddress(e.target.value)}>
              {makers.map((m) => (
                <option key={m.address} value={m.address}>
                  {m.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <p>
          Maker: {maker.name} <span className="mono muted">{maker.address}</span>
        </p>
        <label htmlFor="requests">Provisioning requests</label>
        <textarea
          id="requests"
          rows={6}
          value={text}
          spellCheck={false}
          placeholder="<device key> <BabyJubJub key hash>"
          onChange={(e) => setText(e.target.value)}
        />
        <label>
          Model{' '}
          <select value={modelId} onChange={(e) => setModelId(Number(e.target.value))}>
            {config.manifest.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id} (version {m.version})
              </option>
            ))}
          </select>
        </label>
        <label>
          First serial{' '}
          <input
            inputMode="numeric"
            value={firstSerial}
            onChange={(e) => setFirstSerial(e.target.value)}
          />
        </label>
        <label>
          Valid for (days){' '}
          <input inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
        </label>
      </div>
      {parsed.errors.length > 0 && (
        <ul role="alert" className="error">
          {parsed.errors.slice(0, 10).map((e) => (
            <li key={e}>{e}</li>
          ))}
          {parsed.errors.length > 10 && <li>and {parsed.errors.length - 10} more</li>}
        </ul>
      )}
      {tooMany && (
        <p role="alert" className="error">
          At most {MAX_BATCH} devices in one batch: split the list.
        </p>
      )}
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {progress && <p role="status">{progress}</p>}
      <button
        type="button"
        disabled={
          progress !== null || parsed.requests.length === 0 || parsed.errors.length > 0 || tooMany
        }
        onClick={() => void approve()}
      >
        Approve {parsed.requests.length} device{parsed.requests.length === 1 ? '' : 's'}
      </button>
      {approvals && file && (
        <div className="summary" aria-label="Approvals">
          <h2>
            {approvals.length} approval{approvals.length === 1 ? '' : 's'} signed
          </h2>
          <p>
            Serials {approvals[0]!.serial} to {approvals[approvals.length - 1]!.serial}, valid until{' '}
            {new Date(Number(approvals[0]!.expiresAt) * 1000).toLocaleString()}. Start the next
            batch after serial {approvals[approvals.length - 1]!.serial}.
          </p>
          <p>
            <a
              href={file}
              download={`zkpin-approvals-${short(maker.address)}-${approvals[0]!.serial}.json`}
            >
              Download the approvals (JSON)
            </a>
          </p>
          <ul className="approvals">
            {approvals.map((a) => (
              <li key={a.device}>
                <span className="mono">{a.device}</span> serial {a.serial}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
