/**
 * Entry: installs the `buffer` polyfill web3.js and Anchor's borsh coder expect as a global,
 * reads the configuration, then renders the app (or says, in words, why it cannot).
 */
import { Buffer } from 'buffer';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { loadConfig } from './config.ts';
import './styles.css';

(globalThis as { Buffer?: typeof Buffer }).Buffer ??= Buffer;

const root = createRoot(document.getElementById('root')!);
loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  (e: unknown) =>
    root.render(
      <main className="page">
        <h1>zkpin</h1>
        <p role="alert" className="error">
          {e instanceof Error ? e.message : String(e)}
        </p>
      </main>,
    ),
);
