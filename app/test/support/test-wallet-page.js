/* global window, btoa, atob, CustomEvent */
/**
 * The page side of the test wallet (test-wallet.ts): a Wallet Standard wallet registered as
 * an extension registers itself. Plain JavaScript, injected as it is (a function passed to
 * addInitScript would carry the test runner's transforms into the page). Reads its account
 * from `window.__zkpinTestWallet` and signs through `window.__zkpinTestWalletSign` and
 * `window.__zkpinTestWalletSignMessage` (Node).
 */
(() => {
  const { name, address, publicKey } = window.__zkpinTestWallet;
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
    features: ['solana:signTransaction', 'solana:signMessage'],
  };
  let accounts = [];
  const listeners = new Set();
  const emit = () => {
    for (const l of listeners) l({ accounts });
  };
  const toB64 = (b) => btoa(String.fromCharCode(...b));
  const fromB64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
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
        on: (_event, listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
      'solana:signMessage': {
        version: '1.0.0',
        signMessage: (...inputs) =>
          Promise.all(
            inputs.map(async (i) => ({
              signedMessage: i.message,
              signature: fromB64(await window.__zkpinTestWalletSignMessage(toB64(i.message))),
            })),
          ),
      },
      'solana:signTransaction': {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy', 0],
        signTransaction: (...inputs) =>
          Promise.all(
            inputs.map(async (i) => ({
              signedTransaction: fromB64(await window.__zkpinTestWalletSign(toB64(i.transaction))),
            })),
          ),
      },
    },
  };
  const register = (api) => api.register(wallet);
  window.addEventListener('wallet-standard:app-ready', (e) => register(e.detail));
  window.dispatchEvent(new CustomEvent('wallet-standard:register-wallet', { detail: register }));
})();
