/**
 * Debian's Chromium (`apt-get install chromium`, scripts/setup.sh) driven by playwright-core,
 * headless, for the app's browser tests and its benchmark. `extraArgs` add flags (a fake
 * camera, for one).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run bash scripts/setup.sh (it installs chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS, ...extraArgs] });
}
