/**
 * A Wallet Standard wallet for browser tests: what an extension such as Phantom registers in
 * the page (`wallet-standard:register-wallet`), holding a real keypair that stays in Node.
 * Transactions the app asks it to sign are signed by Node with that key (`exposeFunction`),
 * so they land on the validator as any owner's would. The app discovers it like any installed
 * wallet; nothing in the app knows it is a test.
 */
import { Keypair, VersionedTransaction } from '@solana/web3.js';
import type { Page } from 'playwright-core';

export const TEST_WALLET_NAME = 'zkpin test wallet';

export async function installTestWallet(page: Page, owner: Keypair): Promise<void> {
  await page.exposeFunction('__zkpinTestWalletSign', (base64: string): string => {
    const tx = VersionedTransaction.deserialize(Buffer.from(base64, 'base64'));
    tx.sign([owner]);
    return Buffer.from(tx.serialize()).toString('base64');
  });
  await page.addInitScript(
    ({ name, address, publicKey }) => {
      const icon =
        'data:image/svg+xml;base64,' +
        btoa(
          '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="#2f6fde"/></svg>',
        );
      const chains = ['solana:localnet', 'solana:devnet', 'solana:testnet', 'solana:mainnet'];
      const account = {
        address,
        publicKey: Uint8Array.from(publicKey),
        chains,
        features: ['solana:signTransaction'],
      };
      let accounts: (typeof account)[] = [];
      const listeners = new Set<(p: { accounts: (typeof account)[] }) => void>();
      const emit = () => {
        for (const l of listeners) l({ accounts });
      };
      const host = window as unknown as { __zkpinTestWalletSign: (b: string) => Promise<string> };
      const sign = (b: string) => host.__zkpinTestWalletSign(b);
      const toB64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
      const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
      const wallet = {
        version: '1.0.0',
        name,
        icon,
        chains,
        get accounts() {
          return accounts;
        },
        features: {
          'standard:connect': {
            version: '1.0.0',
            connect: () => {
              accounts = [account];
              emit();
              return Promise.resolve({ accounts });
            },
          },
          'standard:disconnect': {
            version: '1.0.0',
            disconnect: () => {
              accounts = [];
              emit();
              return Promise.resolve();
            },
          },
          'standard:events': {
            version: '1.0.0',
            on: (_event: string, l: (p: { accounts: (typeof account)[] }) => void) => {
              listeners.add(l);
              return () => listeners.delete(l);
            },
          },
          'solana:signTransaction': {
            version: '1.0.0',
            supportedTransactionVersions: ['legacy', 0],
            signTransaction: async (...inputs: { transaction: Uint8Array }[]) =>
              Promise.all(
                inputs.map(async (i) => ({
                  signedTransaction: fromB64(await sign(toB64(i.transaction))),
                })),
              ),
          },
        },
      };
      const register = (api: { register(w: unknown): void }) => api.register(wallet);
      window.addEventListener('wallet-standard:app-ready', (e) =>
        register((e as CustomEvent<{ register(w: unknown): void }>).detail),
      );
      window.dispatchEvent(
        new CustomEvent('wallet-standard:register-wallet', { detail: register }),
      );
    },
    {
      name: TEST_WALLET_NAME,
      address: owner.publicKey.toBase58(),
      publicKey: Array.from(owner.publicKey.toBytes()),
    },
  );
}
