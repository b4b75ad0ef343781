/**
 * A Wallet Standard wallet for browser tests: what an extension such as Phantom registers in
 * the page (`wallet-standard:register-wallet`), holding a real keypair that stays in Node.
 * Transactions and messages the app asks it to sign are signed by Node with that key
 * (`exposeFunction`), so they land on the validator as any owner's would. The app discovers it like any installed
 * wallet; nothing in the app knows it is a test. The page side: test-wallet-page.js.
 */
import { fileURLToPath } from 'node:url';
import { Keypair, VersionedTransaction } from '@solana/web3.js';
import type { Page } from 'playwright-core';
import { DeviceEd25519Key } from '@zkpin/sdk';

export const TEST_WALLET_NAME = 'zkpin test wallet';

const PAGE_SCRIPT = fileURLToPath(new URL('./test-wallet-page.js', import.meta.url));

export async function installTestWallet(page: Page, owner: Keypair): Promise<void> {
  await page.exposeFunction('__zkpinTestWalletSign', (base64: string): string => {
    const tx = VersionedTransaction.deserialize(Buffer.from(base64, 'base64'));
    tx.sign([owner]);
    return Buffer.from(tx.serialize()).toString('base64');
  });
  const signer = new DeviceEd25519Key(owner.secretKey.slice(0, 32));
  await page.exposeFunction('__zkpinTestWalletSignMessage', (base64: string): string =>
    Buffer.from(signer.sign(Buffer.from(base64, 'base64'))).toString('base64'),
  );
  const account = {
    name: TEST_WALLET_NAME,
    address: owner.publicKey.toBase58(),
    publicKey: Array.from(owner.publicKey.toBytes()),
  };
  await page.addInitScript({ content: `window.__zkpinTestWallet = ${JSON.stringify(account)};` });
  await page.addInitScript({ path: PAGE_SCRIPT });
}
